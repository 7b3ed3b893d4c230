// The smallest workflow module the SDK's bundler accepts: for tests of what bundling prints, not of workflows.
export async function tiny(): Promise<string> {
  return 'ok';
}
