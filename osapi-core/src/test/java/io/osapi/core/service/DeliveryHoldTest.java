package io.osapi.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DeliveryHoldTest {
  private final AtomicInteger slotsBack = new AtomicInteger();
  private final Semaphore settling = new Semaphore(1);

  @Test
  void theSlotGoesBackWhenTheOperationReturnsAndTheSettlingPlaceWhenSettled() {
    DeliveryHold h = new DeliveryHold(slotsBack::incrementAndGet, settling);
    h.ran();
    assertThat(slotsBack).hasValue(1);
    assertThat(settling.availablePermits()).isZero();
    h.run();
    assertThat(slotsBack).hasValue(1);
    assertThat(settling.availablePermits()).isOne();
  }

  @Test
  void withNoSettlingPlaceFreeTheSlotIsKeptUntilSettled() {
    DeliveryHold first = new DeliveryHold(slotsBack::incrementAndGet, settling);
    DeliveryHold second = new DeliveryHold(slotsBack::incrementAndGet, settling);
    first.ran();
    second.ran(); // the one settling place is first's
    assertThat(slotsBack).hasValue(1);
    second.run();
    assertThat(slotsBack).hasValue(2);
    first.run();
    assertThat(slotsBack).hasValue(2);
    assertThat(settling.availablePermits()).isOne();
  }

  @Test
  void settledWithoutRunningGivesTheSlotBackOnceAndLaterCallsDoNothing() {
    DeliveryHold h = new DeliveryHold(slotsBack::incrementAndGet, settling);
    h.run();
    h.ran();
    h.run();
    assertThat(slotsBack).hasValue(1);
    assertThat(settling.availablePermits()).isOne();
  }
}
