/** The typed error for a sandbox that cannot give its guarantees on this machine. */
import { AgentPatternsError } from '../core/errors.js';

/**
 * A layer of the sandbox is missing (a tool, namespaces, an interpreter). The
 * sandbox fails closed: it never runs code with fewer defences than asked for.
 * `missing` names what is missing so the operator can install it.
 */
export class SandboxUnavailable extends AgentPatternsError {
  readonly missing: string;
  constructor(missing: string, message: string) {
    super('SANDBOX_UNAVAILABLE', `sandbox unavailable (${missing}): ${message}`);
    this.missing = missing;
  }
}
