package io.osapi.core.memory;

import io.osapi.core.contract.JobStoreContract;
import io.osapi.core.port.JobStore;

class InMemoryJobStoreTest extends JobStoreContract {
  @Override
  protected JobStore newStore() {
    return new InMemoryJobStore();
  }
}
