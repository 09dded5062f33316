package io.osapi.core.schedule;

import io.osapi.core.contract.ScheduleStoreContract;

class InMemoryScheduleStoreTest extends ScheduleStoreContract {
  @Override
  protected ScheduleStore newStore() {
    return new InMemoryScheduleStore();
  }
}
