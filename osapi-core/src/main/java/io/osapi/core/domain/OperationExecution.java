package io.osapi.core.domain;

/**
 * Which thread of a worker runs an operation's handler. Either way the job is claimed before it
 * runs, its end is written by compare-and-set and its delivery settled only once the end is
 * stored; it takes one of the worker's slots ({@code --concurrency}) while it runs.
 */
public enum OperationExecution {
  /**
   * On one of the worker's run threads: the default, for every handler that may block (a command,
   * a file, a lookup over the network, a sleep). Handing the job to that thread costs a wake-up
   * and a context switch or two per run.
   */
  POOLED,
  /**
   * On the thread that completed the job's claim (with NATS, a thread of the worker's client
   * connection), for handlers that never block and return within microseconds, such as {@code
   * diag.echo}. A handler that blocks there holds up a thread of the worker's NATS client, and
   * with it the deliveries and acknowledgements that thread would have handed on; one that is
   * interrupted or asks to be retried ({@link
   * TransientOperationException}) is handed back from a run thread. Privileged operations are
   * always {@link #POOLED}.
   */
  INLINE
}
