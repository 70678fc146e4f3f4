import { Message, MetadataVersion, type Schema } from 'apache-arrow';
import { FileBlock, Footer } from 'apache-arrow/ipc/metadata/file';
import { BufferRegion, FieldNode, RecordBatch as RecordBatchHeader } from 'apache-arrow/ipc/metadata/message';

/** Receives the bytes of a file in order. It must use or copy them before it returns: buffers are reused. */
export type ByteSink = (bytes: Uint8Array) => void;

/** One body buffer of a column: its size, and how to write its bytes (possibly in pieces) to a sink. */
export interface BodyBuffer {
  readonly byteLength: number;
  write(sink: ByteSink): void;
}

/** A buffer already in memory. */
export const bytesBuffer = (view: ArrayBufferView): BodyBuffer => ({
  byteLength: view.byteLength,
  write: (sink) => sink(new Uint8Array(view.buffer, view.byteOffset, view.byteLength)),
});

const MAGIC = new TextEncoder().encode('ARROW1');
const bytesOf = (a: Int32Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const padTo8 = (n: number): number => (n + 7) & ~7;
const ZEROS = new Uint8Array(8);

/**
 * Writes an Arrow IPC file (RecordBatchFile) holding one uncompressed record batch of non-nullable
 * flat columns, streaming each column's buffers to `sink` as they are: nothing is concatenated in
 * memory, so a file as large as the columns themselves needs no second copy. The layout is exactly what
 * apache-arrow's RecordBatchFileWriter produces (magic, the batch message, its body, end-of-stream, the
 * footer with the schema), and the flatbuffer metadata is encoded by apache-arrow itself.
 *
 * `columns[j]` lists field j's buffers after its validity bitmap, which is always empty here (no nulls):
 * the values of a fixed-width column; the offsets and then the bytes of a UTF-8 column.
 */
export function writeArrowFile(sink: ByteSink, schema: Schema, length: number, columns: readonly (readonly BodyBuffer[])[]): void {
  let position = 0;
  const put = (bytes: Uint8Array): void => {
    if (bytes.byteLength === 0) return;
    sink(bytes);
    position += bytes.byteLength;
  };
  const pad = (n: number): void => put(ZEROS.subarray(0, n));

  put(MAGIC);
  pad(2);

  const nodes: FieldNode[] = [];
  const regions: BufferRegion[] = [];
  let bodyLength = 0;
  for (const buffers of columns) {
    nodes.push(new FieldNode(length, 0));
    regions.push(new BufferRegion(bodyLength, 0)); // the validity bitmap: none, nothing is null
    for (const b of buffers) {
      regions.push(new BufferRegion(bodyLength, padTo8(b.byteLength)));
      bodyLength += padTo8(b.byteLength);
    }
  }
  const message = Message.encode(Message.from(new RecordBatchHeader(length, nodes, regions, null), bodyLength));
  const metaDataLength = padTo8(message.byteLength + 8);
  const block = new FileBlock(metaDataLength, bodyLength, position);
  put(bytesOf(Int32Array.of(-1, metaDataLength - 8))); // continuation marker, then the metadata size
  put(message);
  pad(metaDataLength - 8 - message.byteLength);
  for (const buffers of columns) {
    for (const b of buffers) {
      const before = position;
      b.write(put);
      if (position - before !== b.byteLength) throw new Error(`a column buffer wrote ${position - before} bytes, not the ${b.byteLength} it declared`);
      pad(padTo8(b.byteLength) - b.byteLength);
    }
  }

  put(bytesOf(Int32Array.of(-1, 0))); // end of stream, for readers that read the file as a stream
  const footer = Footer.encode(new Footer(schema, MetadataVersion.V5, [block], []));
  put(footer);
  put(bytesOf(Int32Array.of(footer.byteLength)));
  put(MAGIC);
}
