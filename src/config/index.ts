// One place that reads the environment (this folder). Each process validates what it needs at startup
// and refuses to start with a message naming the variable and what is wrong with it.
export { ConfigError, DEFAULT_TASK_QUEUE, LOG_LEVELS, loadLogLevel } from './values';
export { type BridgeConfig, DEFAULT_BRIDGE_METRICS_ADDRESS, DEFAULT_CODEC_PORT, loadBridgeConfig } from './bridge';
export { DEFAULT_MAX_CACHED_WORKFLOWS, DEFAULT_NUDGE_MESSAGE, loadWorkerConfig, type WorkerConfig } from './worker';
export { type CodecAuthConfig, MIN_CODEC_TOKEN_LENGTH } from './codec-auth';
export { DEFAULT_GITHUB_API_BASE_URL, loadGitHubConfig } from './github';
