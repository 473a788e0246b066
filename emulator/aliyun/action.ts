/**
 * The contract between the shared Alibaba endpoint (./handler.ts) and one service's actions (./cdn.ts, ./slb.ts):
 * an action gets checked, authenticated parameters and answers a reply body or an error.
 */
import type { AliyunAccounts, EmulatedAliyunAccount } from './accounts';
import type { AliyunError } from './errors';
import type { AliyunParams } from './params';
import type { AliyunStore } from './store';

/** Who signed a request: the account it is served from, and whether its key is a temporary (STS) one. */
export interface AliyunCaller {
  account: EmulatedAliyunAccount;
  accessKeyId: string;
  temporary: boolean;
}

export interface AliyunActionContext {
  params: AliyunParams;
  /** What the caller's account holds. */
  store: AliyunStore;
  /** The emulator's clock, epoch milliseconds. */
  now: number;
  /**
   * Largest page the CAS, HTTPS-domain, ALB and NLB listings serve, whatever size was asked (a test's knob, so a
   * small fleet spans pages; see AliyunEmulatorOptions.listPageCap). Undefined: each API's own maximum.
   */
  pageCap?: number;
  caller: AliyunCaller;
  /** Every account the emulator serves (STS and Resource Directory look across them). */
  accounts: AliyunAccounts;
}

/** A success body (RequestId is added by the handler), with how many certificates it lists, or an error. */
export type AliyunActionReply =
  | { ok: true; body: Record<string, unknown>; certificatesReturned?: number; uploaded?: boolean }
  | { ok: false; error: AliyunError };

export type AliyunAction = (context: AliyunActionContext) => AliyunActionReply;

/** The error reply for an action. */
export function failed(error: AliyunError): AliyunActionReply {
  return { ok: false, error };
}
