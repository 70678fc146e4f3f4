/**
 * The fake's matching engine: our orders per product, matched against market data the test prints.
 * Never matches our orders against each other. Rules (fake/README.md has the reasons):
 * - The touch is the best bid/ask the test set with `quote`, else the last trade. A market order
 *   fills whole at once at the touch as taker (no touch: refused INVALID_NO_LIQUIDITY). A limit
 *   order that crosses the touch fills as taker at the touch price, up to the touch's size (which it
 *   uses up); the rest rests (GTC, GTD), is cancelled (IOC) or, for FOK short of liquidity, the whole
 *   order is cancelled unfilled. Post-only orders that would cross are refused.
 * - A resting limit fills as maker at its own price when a later trade prints at or through it, up
 *   to the trade's size (shared by our orders: best price first, then oldest).
 * - A stop-limit rests untriggered until a trade reaches its stop (STOP_UP: price ≥ stop, STOP_DOWN:
 *   price ≤ stop); it then enters as a limit, the triggering trade being its touch.
 * - Fees are in the quote currency (maker/taker rate × notional, exact). A buy holds
 *   price × size × (1 + taker rate) of the quote currency (market by funds: the funds), a sell its
 *   base size; fills spend from the hold, closing releases the rest (kit ledger).
 * - GTD orders expire at `end_time` (checked on every action and on a timer).
 * @module
 */
import { randomUUID } from 'node:crypto';
import { Decimal, isOnStep, roundToStep } from '@autotrader/core';
import { FeeSchedule, placeHold, releaseHold, settleSpotFill, type Ledger, type OrderHold } from '@autotrader/testkit/fake-venue';
import { leaves, type EditRecord, type FillRecord, type OrderRecord, type OrderSpec, type Side } from './orders';
import { acceptsOrders, type Product } from './products';

const ZERO = new Decimal(0);

/** A refused order or edit: Coinbase's reason names (create: `error` / `preview_failure_reason` / `new_order_failure_reason`). */
export class OrderFailure extends Error {
  constructor(
    /** `error` of `error_response` (a `FailureReason`), or the edit failure reason. */
    readonly reason: string,
    message: string,
    /** `preview_failure_reason`, when a preview check refused it. */
    readonly preview?: string,
  ) {
    super(message);
  }
}

/** Best bid/ask and the last trade of one product. */
interface Touch {
  bid?: Decimal;
  bidSize?: Decimal;
  ask?: Decimal;
  askSize?: Decimal;
  last?: Decimal;
  /** What is left of the last trade's size for our takers (when no quote is set). */
  lastLeft?: Decimal;
}

/** A validated create request. */
export interface CreateRequest {
  readonly clientOrderId: string;
  readonly product: Product;
  readonly side: Side;
  readonly spec: OrderSpec;
  readonly configuration: Record<string, Record<string, unknown>>;
}

/** Engine wiring. */
export interface EngineOptions {
  readonly ledger: Ledger;
  readonly fees: FeeSchedule;
  readonly now: () => number;
  /** Orders changed by one action, in order, once the action is complete (the user channel). */
  readonly emit: (changed: readonly OrderRecord[]) => void;
}

/** Orders, fills and matching for one account. */
export class MatchingEngine {
  private readonly byId = new Map<string, OrderRecord>();
  private readonly byClientId = new Map<string, OrderRecord>();
  private readonly all: OrderRecord[] = [];
  private readonly fillLog: FillRecord[] = [];
  private readonly touches = new Map<string, Touch>();
  private changed: OrderRecord[] = [];

  constructor(private readonly o: EngineOptions) {}

  /** Every order, oldest first. */
  orders(): readonly OrderRecord[] {
    return this.all;
  }

  /** Every fill, oldest first. */
  fills(): readonly FillRecord[] {
    return this.fillLog;
  }

  order(orderId: string): OrderRecord | undefined {
    return this.byId.get(orderId);
  }

  /** The order that holds `clientOrderId`, if any. */
  orderWithClientId(clientOrderId: string): OrderRecord | undefined {
    return this.byClientId.get(clientOrderId);
  }

  /** Last trade price of a product. */
  lastPrice(productId: string): Decimal | undefined {
    return this.touches.get(productId)?.last;
  }

  bestBid(productId: string): Decimal | undefined {
    return this.touches.get(productId)?.bid;
  }

  bestAsk(productId: string): Decimal | undefined {
    return this.touches.get(productId)?.ask;
  }

  /**
   * Creates an order, or returns the one already holding the client order id (create-order docs:
   * "If the ID provided is not unique, the order will not be created and the order corresponding
   * with that ID will be returned instead.").
   */
  create(r: CreateRequest): { readonly order: OrderRecord; readonly created: boolean } {
    this.expireDue();
    const existing = this.byClientId.get(r.clientOrderId);
    if (existing !== undefined) return { order: existing, created: false };
    const { product: p, spec } = r;
    if (!acceptsOrders(p)) throw new OrderFailure('ORDER_ENTRY_DISABLED', `${p.id} is not accepting orders`);
    if (p.limitOnly && spec.type === 'MARKET') throw new OrderFailure('UNSUPPORTED_ORDER_CONFIGURATION', `${p.id} is limit only`);
    if (p.postOnly && spec.type !== 'MARKET' && !spec.postOnly && spec.type === 'LIMIT') throw new OrderFailure('UNSUPPORTED_ORDER_CONFIGURATION', `${p.id} is post only`);
    this.checkPrecision(p, spec);
    if (spec.endTime !== undefined && spec.endTime <= this.o.now()) throw new OrderFailure('INVALID_REQUEST', 'end_time is in the past', 'PREVIEW_INVALID_END_TIME');
    const touch = this.touches.get(p.id) ?? {};
    const taker = this.o.fees.takerRate;
    let size = spec.baseSize ?? ZERO;
    let hold: OrderHold;
    if (spec.type === 'MARKET') {
      const at = this.touchPrice(touch, r.side);
      if (at === undefined) throw new OrderFailure('INVALID_NO_LIQUIDITY', 'no liquidity to fill a market order', 'PREVIEW_INVALID_NO_LIQUIDITY');
      if (spec.quoteSize !== undefined) {
        // By funds: the funds pay the notional and its fee (buy), or are the notional to receive (sell).
        size = roundToStep(r.side === 'BUY' ? spec.quoteSize.div(at.mul(taker.plus(1))) : spec.quoteSize.div(at), p.baseIncrement, 'down');
        if (size.isZero()) throw new OrderFailure('UNKNOWN_FAILURE_REASON', 'quote_size buys less than one base increment', 'PREVIEW_INVALID_QUOTE_SIZE_TOO_SMALL');
      }
      hold = r.side === 'BUY' ? { lockAsset: p.quote, locked: size.mul(at).mul(taker.plus(1)), lockPerUnit: at.mul(taker.plus(1)) } : { lockAsset: p.base, locked: size, lockPerUnit: new Decimal(1) };
    } else {
      const limit = spec.limitPrice!;
      if (spec.postOnly && this.crosses(touch, r.side, limit)) throw new OrderFailure('INVALID_LIMIT_PRICE_POST_ONLY', 'post only order would cross', 'PREVIEW_INVALID_LIMIT_PRICE_POST_ONLY');
      const perUnit = r.side === 'BUY' ? limit.mul(taker.plus(1)) : new Decimal(1);
      hold = { lockAsset: r.side === 'BUY' ? p.quote : p.base, locked: size.mul(perUnit), lockPerUnit: perUnit };
    }
    this.checkSizes(p, spec, size);
    if (!placeHold(this.o.ledger, hold)) throw new OrderFailure('INSUFFICIENT_FUND', 'Insufficient balance in source account', 'PREVIEW_INSUFFICIENT_FUND');
    const order: OrderRecord = {
      orderId: randomUUID(),
      clientOrderId: r.clientOrderId,
      productId: p.id,
      side: r.side,
      spec,
      configuration: r.configuration,
      status: 'OPEN',
      triggered: spec.type !== 'STOP_LIMIT',
      size,
      filledSize: ZERO,
      filledValue: ZERO,
      totalFees: ZERO,
      fills: [],
      createdTime: this.o.now(),
      lastFillTime: undefined,
      hold,
      edits: [],
      cancelMessage: '',
    };
    this.byId.set(order.orderId, order);
    this.byClientId.set(order.clientOrderId, order);
    this.all.push(order);
    this.changed.push(order);
    if (order.triggered) this.enter(order, p, touch);
    this.flush();
    return { order, created: true };
  }

  /** Cancels an open order; returns the failure reason of `batch_cancel` when it cannot. */
  cancel(orderId: string): string | undefined {
    this.expireDue();
    const order = this.byId.get(orderId);
    if (order === undefined) return 'UNKNOWN_CANCEL_ORDER';
    // CancelOrderFailureReason has ORDER_IS_FULLY_FILLED; an order cancelled or expired is no longer on the book.
    if (order.status === 'FILLED') return 'ORDER_IS_FULLY_FILLED';
    if (order.status !== 'OPEN') return 'UNKNOWN_CANCEL_ORDER';
    this.close(order, 'CANCELLED', 'User requested cancel');
    this.flush();
    return undefined;
  }

  /**
   * Edits an open GTC limit order's price and total size (the edit docs: only limit GTC orders).
   * The new size counts what already filled. A price that crosses the touch trades at once.
   */
  edit(orderId: string, newPrice: Decimal, newSize: Decimal, products: ReadonlyMap<string, Product>): void {
    this.expireDue();
    const order = this.byId.get(orderId);
    if (order === undefined) throw new OrderFailure('ORDER_NOT_FOUND', 'order not found');
    if (order.status !== 'OPEN') throw new OrderFailure('ONLY_OPEN_ORDERS_CAN_BE_EDITED', 'only open orders can be edited');
    if (order.spec.key !== 'limit_limit_gtc') throw new OrderFailure('ONLY_LIMIT_ORDER_EDITS_SUPPORTED', 'only limit GTC orders can be edited');
    const p = products.get(order.productId)!;
    if (newSize.lte(order.filledSize)) throw new OrderFailure('CANNOT_EDIT_TO_BELOW_FILLED_SIZE', 'size must be above the filled size');
    if (!isOnStep(newSize, p.baseIncrement) || newSize.lt(p.baseMinSize) || newSize.gt(p.baseMaxSize)) throw new OrderFailure('INVALID_EDITED_SIZE', 'invalid size');
    if (!isOnStep(newPrice, p.priceIncrement) || !newPrice.gt(0)) throw new OrderFailure('INVALID_EDITED_PRICE', 'invalid price');
    if (newPrice.eq(order.spec.limitPrice!) && newSize.eq(order.size)) throw new OrderFailure('EDIT_REQUEST_EQUAL_TO_ORIGINAL_REQUEST', 'nothing to change');
    const touch = this.touches.get(p.id) ?? {};
    if (order.spec.postOnly && this.crosses(touch, order.side, newPrice)) throw new OrderFailure('UNKNOWN_EDIT_ORDER_FAILURE_REASON', 'post only order would cross', 'PREVIEW_INVALID_LIMIT_PRICE_POST_ONLY');
    // Re-hold for the new remainder: release the old hold, take the new one, or refuse and keep the old.
    const remaining = newSize.minus(order.filledSize);
    const perUnit = order.side === 'BUY' ? newPrice.mul(this.o.fees.takerRate.plus(1)) : new Decimal(1);
    const ledger = this.o.ledger;
    const old = order.hold.locked;
    ledger.unlock(order.hold.lockAsset, old);
    const want = remaining.mul(perUnit);
    if (!ledger.lock(order.hold.lockAsset, want)) {
      ledger.lock(order.hold.lockAsset, old);
      throw new OrderFailure('UNKNOWN_EDIT_ORDER_FAILURE_REASON', 'Insufficient balance in source account', 'PREVIEW_INSUFFICIENT_FUND');
    }
    (order.hold as { lockPerUnit: Decimal }).lockPerUnit = perUnit;
    order.hold.locked = want;
    order.spec.limitPrice = newPrice;
    order.size = newSize;
    const cfg = order.configuration[order.spec.key]!;
    cfg.limit_price = newPrice.toString();
    cfg.base_size = newSize.toString();
    const record: EditRecord = { price: newPrice, size: newSize, time: this.o.now() };
    order.edits.push(record);
    this.changed.push(order);
    this.enter(order, p, touch);
    this.flush();
  }

  /** Sets the best bid and ask (the touch new orders trade against). Resting orders are not filled by quotes. */
  quote(productId: string, bid: Decimal, bidSize: Decimal, ask: Decimal, askSize: Decimal): void {
    const t = this.touchOf(productId);
    Object.assign(t, { bid, bidSize, ask, askSize });
  }

  /** A trade printed: triggers stops, then fills resting orders it reaches. */
  trade(product: Product, price: Decimal, size: Decimal): void {
    this.expireDue();
    const t = this.touchOf(product.id);
    t.last = price;
    t.lastLeft = size;
    let left = size;
    for (const o of this.open(product.id)) {
      if (o.triggered) continue;
      const dir = o.spec.stopDirection;
      const hit = dir === 'STOP_DIRECTION_STOP_UP' ? price.gte(o.spec.stopPrice!) : price.lte(o.spec.stopPrice!);
      if (!hit) continue;
      o.triggered = true;
      this.changed.push(o);
      // Entering as a limit, the trigger trade is its touch (and its size is shared).
      const before = o.filledSize;
      this.enter(o, product, { last: price, lastLeft: left });
      left = left.minus(o.filledSize.minus(before));
    }
    const resting = this.open(product.id)
      .filter((o) => o.triggered && o.spec.limitPrice !== undefined)
      .sort((a, b) => (a.side === b.side ? (a.side === 'BUY' ? b.spec.limitPrice!.cmp(a.spec.limitPrice!) : a.spec.limitPrice!.cmp(b.spec.limitPrice!)) || a.createdTime - b.createdTime : 0));
    for (const o of resting) {
      if (!left.gt(0)) break;
      const limit = o.spec.limitPrice!;
      if (o.side === 'BUY' ? price.gt(limit) : price.lt(limit)) continue;
      const qty = Decimal.min(leaves(o), left);
      if (qty.isZero()) continue;
      this.fill(o, product, limit, qty, 'MAKER');
      left = left.minus(qty);
    }
    t.lastLeft = left;
    this.flush();
  }

  /** Expires GTD orders whose end time has passed; returns how many. */
  expireDue(): number {
    const now = this.o.now();
    let n = 0;
    for (const o of this.all) {
      if (o.status === 'OPEN' && o.spec.endTime !== undefined && o.spec.endTime <= now) {
        this.close(o, 'EXPIRED', 'Order expired');
        n++;
      }
    }
    this.flush();
    return n;
  }

  private touchOf(productId: string): Touch {
    let t = this.touches.get(productId);
    if (t === undefined) {
      t = {};
      this.touches.set(productId, t);
    }
    return t;
  }

  private open(productId: string): OrderRecord[] {
    return this.all.filter((o) => o.productId === productId && o.status === 'OPEN');
  }

  private touchPrice(t: Touch, side: Side): Decimal | undefined {
    return (side === 'BUY' ? t.ask : t.bid) ?? t.last;
  }

  private crosses(t: Touch, side: Side, limit: Decimal): boolean {
    const at = this.touchPrice(t, side);
    return at !== undefined && (side === 'BUY' ? limit.gte(at) : limit.lte(at));
  }

  /** A new, edited or just-triggered order meets the touch. */
  private enter(o: OrderRecord, p: Product, t: Touch): void {
    const at = this.touchPrice(t, o.side);
    if (o.spec.type === 'MARKET') {
      this.fill(o, p, at!, o.size, 'TAKER');
      return;
    }
    const quoted = (o.side === 'BUY' ? t.ask : t.bid) !== undefined;
    if (at !== undefined && this.crosses(t, o.side, o.spec.limitPrice!)) {
      const liquidity = (quoted ? (o.side === 'BUY' ? t.askSize : t.bidSize) : t.lastLeft) ?? ZERO;
      const want = leaves(o);
      if (o.spec.timeInForce === 'FILL_OR_KILL' && liquidity.lt(want)) {
        this.close(o, 'CANCELLED', 'Fill or kill order could not be filled');
        return;
      }
      const qty = Decimal.min(want, liquidity);
      if (qty.gt(0)) {
        this.fill(o, p, at, qty, 'TAKER');
        if (quoted) {
          if (o.side === 'BUY') t.askSize = t.askSize!.minus(qty);
          else t.bidSize = t.bidSize!.minus(qty);
        } else t.lastLeft = liquidity.minus(qty);
      }
    }
    if (o.status === 'OPEN' && (o.spec.timeInForce === 'IMMEDIATE_OR_CANCEL' || o.spec.timeInForce === 'FILL_OR_KILL')) this.close(o, 'CANCELLED', 'Immediate or cancel order was not filled');
  }

  private fill(o: OrderRecord, p: Product, price: Decimal, qty: Decimal, liquidity: 'MAKER' | 'TAKER'): void {
    const commission = this.o.fees.charge({ base: p.base, quote: p.quote }, o.side === 'BUY' ? 'buy' : 'sell', price, qty, liquidity === 'MAKER', this.o.ledger);
    settleSpotFill(this.o.ledger, o.hold, { side: o.side === 'BUY' ? 'buy' : 'sell', base: p.base, quote: p.quote, price, qty, commission });
    const now = this.o.now();
    const f: FillRecord = {
      seq: this.fillLog.length + 1,
      entryId: randomUUID().replaceAll('-', ''),
      tradeId: randomUUID(),
      orderId: o.orderId,
      productId: p.id,
      side: o.side,
      price,
      size: qty,
      commission: commission.amount,
      liquidity,
      time: now,
    };
    this.fillLog.push(f);
    o.fills.push(f);
    o.filledSize = o.filledSize.plus(qty);
    o.filledValue = o.filledValue.plus(price.mul(qty));
    o.totalFees = o.totalFees.plus(commission.amount);
    o.lastFillTime = now;
    this.changed.push(o);
    if (o.filledSize.gte(o.size)) this.close(o, 'FILLED', '');
  }

  private close(o: OrderRecord, status: 'FILLED' | 'CANCELLED' | 'EXPIRED', message: string): void {
    o.status = status;
    o.cancelMessage = message;
    releaseHold(this.o.ledger, o.hold);
    this.changed.push(o);
  }

  private checkPrecision(p: Product, s: OrderSpec): void {
    if (s.baseSize !== undefined && !isOnStep(s.baseSize, p.baseIncrement)) throw new OrderFailure('INVALID_SIZE_PRECISION', 'size is not a multiple of base_increment', 'PREVIEW_INVALID_SIZE_PRECISION');
    if (s.quoteSize !== undefined && !isOnStep(s.quoteSize, p.quoteIncrement)) throw new OrderFailure('INVALID_SIZE_PRECISION', 'quote_size is not a multiple of quote_increment', 'PREVIEW_INVALID_QUOTE_SIZE_PRECISION');
    for (const v of [s.limitPrice, s.stopPrice]) {
      if (v !== undefined && (!v.gt(0) || !isOnStep(v, p.priceIncrement))) throw new OrderFailure('INVALID_PRICE_PRECISION', 'price is not a multiple of price_increment', 'PREVIEW_INVALID_PRICE_PRECISION');
    }
  }

  private checkSizes(p: Product, s: OrderSpec, size: Decimal): void {
    if (s.quoteSize !== undefined) {
      if (s.quoteSize.lt(p.quoteMinSize)) throw new OrderFailure('UNKNOWN_FAILURE_REASON', 'quote_size is below quote_min_size', 'PREVIEW_INVALID_QUOTE_SIZE_TOO_SMALL');
      if (s.quoteSize.gt(p.quoteMaxSize)) throw new OrderFailure('UNKNOWN_FAILURE_REASON', 'quote_size is above quote_max_size', 'PREVIEW_INVALID_QUOTE_SIZE_TOO_LARGE');
      return;
    }
    if (size.lt(p.baseMinSize)) throw new OrderFailure('UNKNOWN_FAILURE_REASON', 'base_size is below base_min_size', 'PREVIEW_INVALID_BASE_SIZE_TOO_SMALL');
    if (size.gt(p.baseMaxSize)) throw new OrderFailure('UNKNOWN_FAILURE_REASON', 'base_size is above base_max_size', 'PREVIEW_INVALID_BASE_SIZE_TOO_LARGE');
    if (s.limitPrice !== undefined && s.limitPrice.mul(size).lt(p.quoteMinSize)) throw new OrderFailure('UNKNOWN_FAILURE_REASON', 'order value is below quote_min_size', 'PREVIEW_INVALID_QUOTE_SIZE_TOO_SMALL');
  }

  private flush(): void {
    if (this.changed.length === 0) return;
    const batch = this.changed;
    this.changed = [];
    this.o.emit(batch);
  }
}
