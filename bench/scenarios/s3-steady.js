/**
 * S3 steady (not a SCENARIOS.md scenario, `--floor`): the S3 burst after 50
 * warm-up bursts of 100 instead of 5, when V8 has compiled the whole run path
 * before the burst starts. Read against S3, it shows how much of S3's CPU is
 * the JIT compiling during the burst rather than the runs themselves.
 */
import { emit } from '../lib.js';
import { measureConcurrency } from '../s3-workload.js';

emit('S3-steady', await measureConcurrency(50));
