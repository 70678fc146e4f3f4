/**
 * Order and fill records of the fake OKX, and their JSON: the order object of GET /trade/order,
 * /orders-pending and the `orders` channel (fields as in fixtures/okx/nautilus_trader/ws_orders.json
 * and http_get_orders_pending.json), and the fill object of GET /trade/fills.
 * @module
 */
import { Decimal, type OrderSide } from '@autotrader/core';
import type { OrderHold } from '@autotrader/testkit/fake-venue';
import { dec, ms } from './wire';

/** Order types the fake accepts for spot (`optimal_limit_ioc`, `mmp`, `elp` are not spot types). */
export const ORDER_TYPES = ['market', 'limit', 'post_only', 'fok', 'ioc'] as const;
export type OrdType = (typeof ORDER_TYPES)[number];

/** OKX order states. */
export type OrderState = 'live' | 'partially_filled' | 'filled' | 'canceled' | 'mmp_canceled';

/** Which environment (account) an order belongs to. */
export type Environment = 'demo' | 'live';

/** One fill. `fee` is the amount charged (positive); the wire shows it negative. */
export interface OkxFill {
  readonly tradeId: string;
  readonly billId: string;
  readonly ordId: string;
  readonly clOrdId: string;
  readonly tag: string;
  readonly instId: string;
  readonly side: OrderSide;
  readonly px: Decimal;
  readonly sz: Decimal;
  readonly fee: Decimal;
  readonly feeCcy: string;
  /** `T` taker, `M` maker. */
  readonly execType: 'T' | 'M';
  readonly ts: number;
}

/** One order as the venue keeps it. */
export interface OkxOrder {
  readonly env: Environment;
  readonly ordId: string;
  readonly clOrdId: string;
  readonly tag: string;
  readonly instId: string;
  readonly side: OrderSide;
  readonly ordType: OrdType;
  /** `base_ccy` / `quote_ccy` for market orders (what `sz` counts), '' otherwise. */
  readonly tgtCcy: '' | 'base_ccy' | 'quote_ccy';
  px: Decimal | undefined;
  /** As placed (or amended): base units, or quote units for a `quote_ccy` market order. */
  sz: Decimal;
  state: OrderState;
  accFillSz: Decimal;
  /** Sum of fill px × sz, for `avgPx`. */
  filledNotional: Decimal;
  /** Fees charged so far (positive). */
  fee: Decimal;
  readonly feeCcy: string;
  readonly fills: OkxFill[];
  readonly cTime: number;
  uTime: number;
  /** Queue position among orders at one price: lower is earlier. */
  priority: number;
  readonly hold: OrderHold;
  cancelSource: string;
  /** The last amendment's request id and result (`0` success, `-1` failure), '' when never amended. */
  reqId: string;
  amendResult: string;
}

/** True while the order can still trade. */
export function isOpen(o: OkxOrder): boolean {
  return o.state === 'live' || o.state === 'partially_filled';
}

/** Base quantity still to trade (for a `quote_ccy` market order: not meaningful, 0). */
export function remaining(o: OkxOrder): Decimal {
  if (o.tgtCcy === 'quote_ccy') return new Decimal(0);
  const r = o.sz.minus(o.accFillSz);
  return r.isNeg() ? new Decimal(0) : r;
}

const EMPTY_FILL = { fillPx: '', fillSz: '0', fillTime: '', tradeId: '', fillFee: '0', fillFeeCcy: '', execType: '', fillPnl: '0', fillNotionalUsd: '' };

/**
 * The order object. `fill` is the fill this message reports: pushes carry it only on the push of
 * that fill (others have empty fill fields); REST answers carry the last fill.
 */
export function orderJson(o: OkxOrder, fill: OkxFill | undefined, extra: Readonly<Record<string, string>> = {}): Record<string, unknown> {
  const fillFields =
    fill === undefined
      ? EMPTY_FILL
      : { fillPx: dec(fill.px), fillSz: dec(fill.sz), fillTime: ms(fill.ts), tradeId: fill.tradeId, fillFee: dec(fill.fee.neg()), fillFeeCcy: fill.feeCcy, execType: fill.execType, fillPnl: '0', fillNotionalUsd: '' };
  return {
    accFillSz: dec(o.accFillSz),
    algoClOrdId: '',
    algoId: '',
    amendResult: o.amendResult,
    amendSource: '',
    attachAlgoClOrdId: '',
    attachAlgoOrds: [],
    avgPx: o.accFillSz.isZero() ? '' : dec(o.filledNotional.div(o.accFillSz)),
    cTime: ms(o.cTime),
    cancelSource: o.cancelSource,
    cancelSourceReason: CANCEL_REASONS[o.cancelSource] ?? '',
    category: 'normal',
    ccy: '',
    clOrdId: o.clOrdId,
    code: '0',
    fee: dec(o.fee.neg()),
    feeCcy: o.feeCcy,
    ...fillFields,
    instId: o.instId,
    instType: 'SPOT',
    isTpLimit: 'false',
    lever: '',
    linkedAlgoOrd: { algoId: '' },
    msg: '',
    notionalUsd: '',
    ordId: o.ordId,
    ordType: o.ordType,
    pnl: '0',
    // The docs' own SPOT examples (order details, order list) show posSide "net".
    posSide: 'net',
    px: o.px === undefined ? '' : dec(o.px),
    pxType: '',
    pxUsd: '',
    pxVol: '',
    quickMgnType: '',
    rebate: '0',
    rebateCcy: o.feeCcy,
    reduceOnly: 'false',
    reqId: o.reqId,
    side: o.side,
    slOrdPx: '',
    slTriggerPx: '',
    slTriggerPxType: '',
    source: '',
    state: o.state,
    stpId: '',
    stpMode: 'cancel_maker',
    sz: dec(o.sz),
    tag: o.tag,
    tdMode: 'cash',
    tgtCcy: o.tgtCcy,
    tpOrdPx: '',
    tpTriggerPx: '',
    tpTriggerPxType: '',
    tradeQuoteCcy: o.instId.slice(o.instId.indexOf('-') + 1),
    uTime: ms(o.uTime),
    ...extra,
  };
}

/** `cancelSource` codes the fake uses and OKX's text for them (orders channel documentation). */
export const CANCEL_REASONS: Readonly<Record<string, string>> = {
  '0': 'Order canceled by system',
  '1': 'Order canceled by user',
  '13': 'Order canceled: FOK order was canceled due to incompletely filled',
  '14': 'Order canceled: IOC order was partially canceled due to incompletely filled',
  '31': 'The post-only order will take liquidity in taker orders',
};

/** The fill object of GET /api/v5/trade/fills and /fills-history. */
export function fillJson(f: OkxFill): Record<string, unknown> {
  return {
    instType: 'SPOT',
    instId: f.instId,
    tradeId: f.tradeId,
    ordId: f.ordId,
    clOrdId: f.clOrdId,
    billId: f.billId,
    subType: f.side === 'buy' ? '1' : '2',
    tag: f.tag,
    fillPx: dec(f.px),
    fillSz: dec(f.sz),
    fillIdxPx: '',
    fillPnl: '0',
    fillPxVol: '',
    fillPxUsd: '',
    fillMarkVol: '',
    fillFwdPx: '',
    fillMarkPx: '',
    side: f.side,
    posSide: 'net',
    execType: f.execType,
    feeCcy: f.feeCcy,
    fee: dec(f.fee.neg()),
    ts: ms(f.ts),
    fillTime: ms(f.ts),
  };
}
