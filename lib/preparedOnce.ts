/**
 * `build` run on first use and its result kept for the container's later invocations; a failure is not kept, so
 * the next invocation tries again (SSM unreachable at one cold start, say).
 */
export function preparedOnce<T>(build: () => Promise<T>): () => Promise<T> {
  let prepared: Promise<T> | undefined;
  return () => {
    prepared ??= build().catch((error: unknown) => {
      prepared = undefined;
      throw error;
    });
    return prepared;
  };
}
