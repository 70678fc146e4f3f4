/** A time series as parallel columns; only the first `length` entries count. */
export interface Series {
  ts: Float64Array;
  values: Float64Array;
  length: number;
}

/**
 * Indices that keep at most `maxPoints` of `length` points by taking the **last point of each bucket**
 * of consecutive points. Buckets hold `ceil(length / maxPoints)` points each (the last bucket may hold
 * fewer), so the final point is always kept and each kept row is the state at the end of its bucket,
 * which is what a reader of an equity file expects. With `length <= maxPoints` every index is kept.
 */
export function lastPerBucket(length: number, maxPoints: number): Uint32Array {
  if (length <= 0) return new Uint32Array(0);
  const size = Math.max(1, Math.ceil(length / Math.max(1, Math.floor(maxPoints))));
  const out = new Uint32Array(Math.ceil(length / size));
  for (let b = 0; b < out.length; b++) out[b] = Math.min((b + 1) * size, length) - 1;
  return out;
}

/**
 * Reduces a series to about `targetPoints` points for drawing, keeping its shape: the time range is cut
 * into `targetPoints / 2` equal buckets and each bucket keeps its minimum and its maximum point, in time
 * order. Peaks, troughs and spikes therefore survive, which plain decimation would drop. The first and
 * the last point are always kept. When the series has no more than `targetPoints` points, all are kept.
 *
 * Feed points in ascending time with {@link push}, then call {@link finish}. Memory is fixed by
 * `targetPoints`, whatever the number of points pushed.
 */
export class MinMaxDownsampler {
  private readonly passthrough: boolean;
  private readonly buckets: number;
  private readonly t0: number;
  private readonly scale: number;
  private readonly outTs: Float64Array;
  private readonly outValues: Float64Array;
  private out = 0;
  private seen = 0;
  private bucket = -1;
  private minT = 0;
  private minV = 0;
  private minSeq = -1;
  private maxT = 0;
  private maxV = 0;
  private maxSeq = -1;
  private lastT = 0;
  private lastV = 0;
  private lastEmittedSeq = -1;

  /**
   * @param t0 time of the first point
   * @param t1 time of the last point
   * @param count number of points that will be pushed
   * @param targetPoints the most points {@link finish} returns, about (at least 4)
   */
  constructor(t0: number, t1: number, count: number, targetPoints: number) {
    const target = Math.max(4, Math.floor(targetPoints));
    this.passthrough = count <= target;
    // Two points per bucket, plus the forced first and last points.
    this.buckets = Math.max(1, Math.floor((target - 2) / 2));
    this.t0 = t0;
    this.scale = t1 > t0 ? this.buckets / (t1 - t0) : 0;
    const capacity = this.passthrough ? Math.max(0, count) : this.buckets * 2 + 2;
    this.outTs = new Float64Array(capacity);
    this.outValues = new Float64Array(capacity);
  }

  /** Adds the next point; `t` must not be before the previous one. */
  push(t: number, v: number): void {
    const seq = this.seen++;
    this.lastT = t;
    this.lastV = v;
    if (this.passthrough) {
      this.emit(t, v, seq);
      return;
    }
    if (seq === 0) this.emit(t, v, seq);
    const b = Math.min(this.buckets - 1, Math.floor((t - this.t0) * this.scale));
    if (b !== this.bucket) {
      this.flush();
      this.bucket = b;
      this.minT = this.maxT = t;
      this.minV = this.maxV = v;
      this.minSeq = this.maxSeq = seq;
      return;
    }
    // NaN compares false both ways, so a NaN value never becomes an extreme.
    if (v < this.minV) {
      this.minV = v;
      this.minT = t;
      this.minSeq = seq;
    }
    if (v > this.maxV) {
      this.maxV = v;
      this.maxT = t;
      this.maxSeq = seq;
    }
  }

  /** The downsampled series. Its arrays may be longer than `length`. */
  finish(): Series {
    if (!this.passthrough) {
      this.flush();
      if (this.seen > 0 && this.lastEmittedSeq !== this.seen - 1) this.emit(this.lastT, this.lastV, this.seen - 1);
    }
    return { ts: this.outTs, values: this.outValues, length: this.out };
  }

  private flush(): void {
    if (this.bucket < 0) return;
    if (this.minSeq === this.maxSeq) {
      this.emit(this.minT, this.minV, this.minSeq);
    } else if (this.minSeq < this.maxSeq) {
      this.emit(this.minT, this.minV, this.minSeq);
      this.emit(this.maxT, this.maxV, this.maxSeq);
    } else {
      this.emit(this.maxT, this.maxV, this.maxSeq);
      this.emit(this.minT, this.minV, this.minSeq);
    }
    this.bucket = -1;
  }

  private emit(t: number, v: number, seq: number): void {
    // The first point is emitted on arrival and may also be its bucket's extreme: keep it once.
    if (seq <= this.lastEmittedSeq) return;
    this.outTs[this.out] = t;
    this.outValues[this.out] = v;
    this.out++;
    this.lastEmittedSeq = seq;
  }
}
