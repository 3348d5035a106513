/**
 * A lean Analytics Data API v1beta client: the two unary calls pitwall makes (RunReport, RunRealtimeReport) over
 * @grpc/grpc-js, with the messages from the .proto files @google-analytics/data ships (google/api/* from google-gax's
 * protos folder, as the GA peer loads them). The official BetaAnalyticsDataClient (google-gax) loads a second
 * grpc-js, protobufjs descriptors for every GA service and google-auth-library up front: ~20 MiB more resident
 * memory for the same two calls (bench/preset-memory.mjs, README "Honest numbers"). Google auth is loaded only
 * when a target is not insecure.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { protos } from '@google-analytics/data';
import type { AuthClient, GoogleAuth } from 'google-auth-library';

export type RunReportRequest = protos.google.analytics.data.v1beta.IRunReportRequest;
export type RunReportResponse = protos.google.analytics.data.v1beta.IRunReportResponse;
export type RunRealtimeReportRequest = protos.google.analytics.data.v1beta.IRunRealtimeReportRequest;
export type RunRealtimeReportResponse = protos.google.analytics.data.v1beta.IRunRealtimeReportResponse;

/** What one call needs from the run: its budget and the run's abort. */
export interface GaCallOptions {
  timeoutMs: number;
  signal: AbortSignal;
}

/** How the client authenticates: none (a plaintext loopback channel), a built auth client, or ADC. */
export type GaAuth = { kind: 'insecure' } | { kind: 'client'; client: AuthClient } | { kind: 'adc'; scopes: string[] };

const SERVICE = 'google.analytics.data.v1beta.BetaAnalyticsData';
const services = new Map<boolean, grpc.ServiceDefinition>();

/**
 * The BetaAnalyticsData service's method definitions (paths, serializers) from the .proto files shipped inside
 * @google-analytics/data (google/api/* from google-gax), loaded once per process. The client decodes with
 * `defaults` (google-gax's proto-loader options: answers have the shape the gapic client gave); the GA peer without,
 * so it can tell a field left out of a request from one set to its default, as the real service does.
 */
export function gaServiceDefinition(defaults = true): grpc.ServiceDefinition {
  const known = services.get(defaults);
  if (known) return known;
  const require = createRequire(import.meta.url);
  const gaProtos = join(dirname(require.resolve('@google-analytics/data/package.json')), 'build', 'protos');
  // google-gax's exports hide package.json; its entry is build/src/index.js, its protos build/protos (not loaded as code).
  const gaxProtos = join(dirname(require.resolve('google-gax')), '..', 'protos');
  const def = protoLoader.loadSync('google/analytics/data/v1beta/analytics_data_api.proto', {
    includeDirs: [gaProtos, gaxProtos],
    keepCase: false,
    longs: String,
    enums: String,
    defaults,
    oneofs: true,
  });
  const service = def[SERVICE] as grpc.ServiceDefinition;
  services.set(defaults, service);
  return service;
}
const serviceDefinition = () => gaServiceDefinition(true);

// Parsed when this module loads (~100 ms of .proto parsing), so the probe runner's prepare pays it before any clock
// starts; one empty message through each coder too, so protobufjs generates its encoders and decoders here and not
// inside the first RunReport's latency.
for (const method of Object.values(serviceDefinition())) {
  method.requestSerialize({});
  method.responseDeserialize(Buffer.alloc(0));
}

/** The Google auth library, imported on first use (insecure targets never load it). */
export async function authLibrary(): Promise<typeof import('google-auth-library')> {
  return import('google-auth-library');
}

/** One channel to the Analytics Data API for one target. initialize() loads credentials; calls need it settled. */
export class GaDataClient {
  private channel: grpc.Client | null = null;
  private closed = false;
  private readonly address: string;
  private readonly auth: GaAuth;

  /** `address` is host:port (analyticsdata.googleapis.com:443 for the real API). */
  constructor(address: string, auth: GaAuth) {
    this.address = address;
    this.auth = auth;
  }

  /** Loads the service definition and the credentials (ADC's lookup may ask the GCE metadata server), builds the channel. */
  async initialize(): Promise<void> {
    serviceDefinition();
    const credentials = await this.credentials();
    // close() during a slow credentials lookup: build nothing that would hold the process open.
    if (this.closed) return;
    this.channel = new grpc.Client(this.address, credentials);
  }

  private async credentials(): Promise<grpc.ChannelCredentials> {
    if (this.auth.kind === 'insecure') return grpc.credentials.createInsecure();
    let client: AuthClient;
    if (this.auth.kind === 'client') {
      client = this.auth.client;
    } else {
      const { GoogleAuth } = await authLibrary();
      const adc: GoogleAuth = new GoogleAuth({ scopes: this.auth.scopes });
      // Throws "Could not load the default credentials" when ADC finds nothing (as the gapic client's initialize()).
      client = await adc.getClient();
    }
    // As google-gax (src/grpc.ts _getCredentials): grpc-js reads plain header objects, google-auth-library returns Headers.
    return grpc.credentials.combineChannelCredentials(
      grpc.credentials.createSsl(),
      grpc.credentials.createFromGoogleCredential({
        getRequestHeaders: async (url?: string) => {
          const headers = await client.getRequestHeaders(url);
          const plain: Record<string, string> = {};
          headers.forEach((value, key) => (plain[key] = value));
          return plain;
        },
      }),
    );
  }

  /** RunReport: one unary call, no retries (the engine owns them). */
  runReport(request: RunReportRequest, opts: GaCallOptions): Promise<RunReportResponse> {
    return this.unary<RunReportResponse>('RunReport', request, opts);
  }

  /** RunRealtimeReport: one unary call, no retries. */
  runRealtimeReport(request: RunRealtimeReportRequest, opts: GaCallOptions): Promise<RunRealtimeReportResponse> {
    return this.unary<RunRealtimeReportResponse>('RunRealtimeReport', request, opts);
  }

  private unary<T>(method: string, request: { property?: string | null }, opts: GaCallOptions): Promise<T> {
    const channel = this.channel;
    if (!channel) return Promise.reject(new Error('the Analytics Data client is not initialized'));
    const def = serviceDefinition()[method]!;
    const metadata = new grpc.Metadata();
    // The routing header the gapic client sends for these methods (analytics_data_api.proto: property in the URL).
    metadata.set('x-goog-request-params', `property=${encodeURIComponent(request.property ?? '')}`);
    return new Promise<T>((resolve, reject) => {
      if (opts.signal.aborted) {
        reject(Object.assign(new Error('1 CANCELLED: Cancelled on client'), { code: grpc.status.CANCELLED, details: 'Cancelled on client' }));
        return;
      }
      const call = channel.makeUnaryRequest<unknown, T>(
        def.path,
        def.requestSerialize,
        def.responseDeserialize as (b: Buffer) => T,
        request,
        metadata,
        { deadline: Date.now() + opts.timeoutMs },
        (err, value) => {
          opts.signal.removeEventListener('abort', cancel);
          if (err) reject(err);
          else resolve(value as T);
        },
      );
      const cancel = () => call.cancel();
      opts.signal.addEventListener('abort', cancel, { once: true });
    });
  }

  /** Closes the channel; a pending initialize() builds none. */
  close(): void {
    this.closed = true;
    this.channel?.close();
    this.channel = null;
  }
}

/** The gRPC status codes by number, for error wording (grpc-js's enum). */
export const GRPC_STATUS: Readonly<Record<string, number | string>> = grpc.status;
