/** agent-patterns/studio — a local web page over the store: runs, their trees and shapes, approvals. */
export { startStudio, type Studio, type StudioOptions } from './server.js';
export { StudioApi, ApiError, type Catalog, type WorkflowInfo, type RunsQuery, type RunsPage } from './api.js';
export { summarizeRun, type RunSummary } from './run-summary.js';
