// The run stage's handle on the native engine: the addon must be loaded, and only one run at a
// time may drive it.
import { loadNative, type NativeEngine } from '../native.js';
import { UserError } from '../exit-codes.js';

export function requireEngine(): NativeEngine {
  const n = loadNative();
  if (!n.ok) throw new UserError(`the native engine is unavailable: ${n.reason}`, 3);
  return n.addon.engine;
}
