package io.osapi.app.wiring;

import io.osapi.core.domain.OperationDefinition;
import io.osapi.core.domain.OperationRegistry;

/**
 * The stop-gap that keeps a worker from running privileged operations unless its owner enabled
 * them ({@code --allow-host-operations}), until the worker's allow-list ({@code
 * --allow-operations}) takes its place.
 */
final class HostOperationGate {
  private HostOperationGate() {}

  /**
   * {@code operations} with every privileged operation's handler replaced by one that fails the
   * run at once, before anything runs, saying why.
   */
  static OperationRegistry refusePrivileged(OperationRegistry operations) {
    OperationRegistry.Builder b = OperationRegistry.builder();
    for (OperationDefinition d : operations.definitions()) {
      if (!d.privileged()) {
        b.register(d);
        continue;
      }
      b.register(new OperationDefinition(d.type(), d.kind(), d.description(), c -> {
        throw new IllegalStateException("operation " + d.type() + " is not allowed on worker "
            + c.workerId() + " (host operations are off; start it with"
            + " --allow-host-operations)");
      }, true));
    }
    return b.build();
  }
}
