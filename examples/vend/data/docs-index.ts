/** A small internal troubleshooting knowledge base and service status board for the ReAct example. */
export interface DocEntry {
  id: string;
  title: string;
  body: string;
  keywords: string[];
}

export const DOCS: readonly DocEntry[] = [
  {
    id: 'KB-101',
    title: 'Restart workers after QUEUE_URL change',
    body: 'Queue processors cache QUEUE_URL at start-up. After a queue migration, workers keep polling the old queue and look stuck. Restart the worker deployment.',
    keywords: ['queue', 'stuck', 'processor', 'worker', 'queue_url', 'migration'],
  },
  {
    id: 'KB-102',
    title: 'Check IAM permission sqs:SendMessage',
    body: 'If producers log AccessDenied on SendMessage, the queue stays empty and consumers look idle. Grant sqs:SendMessage to the producer role.',
    keywords: ['queue', 'iam', 'permission', 'accessdenied', 'sqs', 'producer'],
  },
  {
    id: 'KB-201',
    title: 'Checkout latency: database connection pool exhaustion',
    body: 'When checkout p99 rises with "pool timeout" errors, the database connection pool is exhausted. Scale the pool or shed load.',
    keywords: ['checkout', 'latency', 'database', 'pool', 'timeout'],
  },
  {
    id: 'KB-301',
    title: 'Search results stale after reindex',
    body: 'A failed nightly reindex leaves the alias on the old index. Re-point the alias after a successful reindex.',
    keywords: ['search', 'stale', 'index', 'reindex', 'alias'],
  },
];

export const SERVICE_STATUS: ReadonlyMap<string, { status: 'operational' | 'degraded' | 'down'; since: string; incidents: string[] }> = new Map([
  ['queue-processor', { status: 'degraded', since: '2026-05-21T09:20:00Z', incidents: ['Consumer lag rising since 09:20 UTC; no messages acknowledged'] }],
  ['checkout', { status: 'operational', since: '2026-05-01T00:00:00Z', incidents: [] }],
  ['search', { status: 'operational', since: '2026-05-10T00:00:00Z', incidents: [] }],
  ['payments', { status: 'operational', since: '2026-05-12T00:00:00Z', incidents: [] }],
]);

/** Keyword search: entries ranked by how many query words hit their keywords or title. */
export function searchDocs(query: string, limit = 3): DocEntry[] {
  const words = query.toLowerCase().split(/[^a-z0-9_:]+/).filter((w) => w.length > 2);
  return DOCS.map((d) => ({ d, score: words.filter((w) => d.keywords.includes(w) || d.title.toLowerCase().includes(w)).length }))
    .filter((x) => x.score > 0)
    .sort((a, b) => b.score - a.score)
    .slice(0, limit)
    .map((x) => x.d);
}
