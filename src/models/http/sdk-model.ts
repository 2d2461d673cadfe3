/**
 * The skeleton every SDK-backed provider shares: settings, the lazily loaded
 * SDK client, the call policy (rate limit, retries, timeouts), and generate /
 * stream around it. A provider says only how to build its request, send it,
 * and read the answer and the stream.
 */
import type { CallOptions, Model, ModelRequest, ModelResponse, StreamEvent } from '../../core/model.js';
import type { ModelSpecOptions } from '../spec-options.js';
import { CallPolicy } from './call-policy.js';
import { sdkClassifier } from './retry.js';

/** What the Stainless-generated SDKs (openai, @anthropic-ai/sdk) export that the skeleton needs. */
export interface SdkModule {
  APIConnectionError: abstract new (...args: never[]) => Error;
}

/** An SDK call's answer with its HTTP response (`.withResponse()`). */
export interface Exchange<Data> {
  data: Data;
  response: { headers: { get(name: string): string | null } };
}

/** Reads one streamed answer: StreamEvents per raw event, then the whole response. */
export interface StreamReader<Chunk> {
  push(chunk: Chunk, requestId: string | undefined): Iterable<StreamEvent>;
  finish(requestId: string | undefined): ModelResponse;
}

export abstract class SdkModel<Sdk extends SdkModule, Client, Prepared, Data, Chunk> implements Model {
  protected readonly policy: CallPolicy;
  protected readonly defaultMaxTokens: number | undefined;
  private sdk: Sdk | undefined;
  private client: Promise<Client> | undefined;

  constructor(
    readonly provider: string,
    readonly modelId: string,
    options: ModelSpecOptions,
    /** The response header carrying the provider's request id. */
    private readonly requestIdHeader: string,
  ) {
    this.defaultMaxTokens = options.maxOutputTokens;
    this.policy = new CallPolicy(
      provider,
      options,
      sdkClassifier(requestIdHeader, (e) => this.sdk !== undefined && e instanceof this.sdk.APIConnectionError),
    );
  }

  /** The provider's request for a provider-neutral one (throws UnsupportedContent before any request). */
  abstract prepare(request: ModelRequest): Prepared;
  protected abstract loadSdk(): Promise<Sdk>;
  protected abstract newClient(sdk: Sdk): Client;
  protected abstract send(client: Client, prepared: Prepared, signal: AbortSignal, options: CallOptions | undefined): Promise<Exchange<Data>>;
  protected abstract sendStream(client: Client, prepared: Prepared, signal: AbortSignal, options: CallOptions | undefined): Promise<Exchange<AsyncIterable<Chunk>>>;
  protected abstract read(data: Data, prepared: Prepared, requestId: string | undefined): ModelResponse;
  protected abstract reader(prepared: Prepared): StreamReader<Chunk>;

  async generate(request: ModelRequest, options?: CallOptions): Promise<ModelResponse> {
    const prepared = this.prepare(request);
    const client = await this.getClient();
    return this.policy.call(
      request,
      options,
      async (signal) => {
        const { data, response } = await this.send(client, prepared, signal, options);
        return this.read(data, prepared, response.headers.get(this.requestIdHeader) ?? undefined);
      },
      (r) => r.usage,
    );
  }

  async *stream(request: ModelRequest, options?: CallOptions): AsyncIterable<StreamEvent> {
    const prepared = this.prepare(request);
    const client = await this.getClient();
    let requestId: string | undefined;
    const reader = this.reader(prepared);
    const chunks = this.policy.stream<Chunk>(request, options, async (signal) => {
      const { data, response } = await this.sendStream(client, prepared, signal, options);
      requestId = response.headers.get(this.requestIdHeader) ?? undefined;
      return data;
    });
    for await (const chunk of chunks) yield* reader.push(chunk, requestId);
    const response = reader.finish(requestId);
    this.policy.settleStream(request, response.usage);
    yield { type: 'finish', response };
  }

  private getClient(): Promise<Client> {
    return (this.client ??= this.loadSdk().then((sdk) => {
      this.sdk = sdk;
      return this.newClient(sdk);
    }));
  }
}
