/**
 * S3 — concurrency: the S1 agent with T = 1 and 20 ms per model turn (limit
 * 40 ms a run). Warm-up 5 bursts of 100; forced GC; then 1000 runs started at
 * once on one shared agent. CPU is user+system of the whole process over the
 * burst; peak RSS is the process's maxRSS (so S3 runs in its own process).
 */
import { emit } from '../lib.js';
import { measureConcurrency } from '../s3-workload.js';

emit('S3', await measureConcurrency(5));
