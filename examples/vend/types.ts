/**
 * What a runnable Vend example is. Each example file exports `example`;
 * the registry finds them all. Without `model`, an example runs on its own
 * scripted model (offline); with one, every agent in it uses that model.
 */
import type { RunOptions, RunResult, ActionRecord, Model, Step } from 'agent-patterns';
import type { MediaPart } from 'agent-patterns/models';

export interface ExampleRunOptions extends Omit<RunOptions, 'runId'> {
  /** A real model for every agent of the example; omitted = the example's scripted model. */
  model?: Model;
  runId?: string;
  /** Images and documents sent with the input (examples that declare acceptsAttachments). */
  attachments?: MediaPart[];
  /** Take the tools from Vend's order service over MCP (examples whose `mcp` is true). */
  mcp?: boolean;
}

export interface ExampleOutcome {
  /** One word or short phrase for the demo table: "answered", "passed after 2 rounds", "manual_review". */
  outcome: string;
  /** The main text a user would read. */
  answer: string;
  /** Tool calls made (action trace), when the example has agents with tools. */
  actions?: ActionRecord[];
  /** Anything else worth showing in --json output (stage outputs, verdicts, scores). */
  details?: unknown;
  result: RunResult<unknown>;
}

export interface VendExample {
  /** CLI name, e.g. "order-support". */
  name: string;
  /** Pattern number in the reference (1–15). */
  pattern: number;
  patternName: string;
  /** One line: what Vend uses it for. */
  summary: string;
  /** What the input is, for `run --help` and `list`. */
  inputHelp: string;
  /** Input used by the demo and when --input is not given. */
  defaultInput: string;
  /** True when the example sends `attachments` to its model with the input. */
  acceptsAttachments?: boolean;
  /** True when `run(input, { mcp: true })` takes its tools from an MCP server (`--mcp`). */
  mcp?: boolean;
  /** The example's root step on its scripted model, so tools (the studio) can describe what it is made of. */
  root?: () => Step<any, unknown>;
  /** Throws a ConfigError naming what is wrong when the input is not one the example takes (free-text examples take any). */
  checkInput?(input: string): void;
  run(input: string, options?: ExampleRunOptions): Promise<ExampleOutcome>;
}
