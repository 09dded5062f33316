package io.osapi.adapter.nats;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NatsPhaseTest {
  @Test
  void aFirstConnectStartsItAndOnlyClosingEndsAClosedOne() {
    assertThat(NatsPhase.STARTING.next(NatsPhase.RUNNING)).isEqualTo(NatsPhase.RUNNING);
    assertThat(NatsPhase.RUNNING.next(NatsPhase.RUNNING)).isEqualTo(NatsPhase.RUNNING);
    assertThat(NatsPhase.RUNNING.next(NatsPhase.CONFIG_FAILED)).isEqualTo(NatsPhase.CONFIG_FAILED);
    // a reconnect after refused settings keeps them refused: no provisioning comes back
    assertThat(NatsPhase.CONFIG_FAILED.next(NatsPhase.RUNNING))
        .isEqualTo(NatsPhase.CONFIG_FAILED);
    assertThat(NatsPhase.CONFIG_FAILED.next(NatsPhase.LOST)).isEqualTo(NatsPhase.LOST);
    for (NatsPhase p : NatsPhase.values()) {
      assertThat(p.next(NatsPhase.CLOSED)).isEqualTo(NatsPhase.CLOSED);
      assertThat(NatsPhase.CLOSED.next(p)).isEqualTo(NatsPhase.CLOSED);
      assertThat(p.next(NatsPhase.STARTING)).isEqualTo(p);
    }
    assertThat(NatsPhase.LOST.next(NatsPhase.RUNNING)).isEqualTo(NatsPhase.LOST);
  }

  @Test
  void goneAndSettledSayWhatCanStillComeBack() {
    assertThat(NatsPhase.RUNNING.gone()).isFalse();
    assertThat(NatsPhase.RUNNING.settled()).isFalse();
    assertThat(NatsPhase.CONFIG_FAILED.gone()).isFalse();
    assertThat(NatsPhase.CONFIG_FAILED.settled()).isTrue();
    assertThat(NatsPhase.LOST.gone()).isTrue();
    assertThat(NatsPhase.CLOSED.gone()).isTrue();
    assertThat(NatsPhase.STARTING.notReady(false)).isEqualTo("NATS is not connected yet");
    assertThat(NatsPhase.CLOSED.notReady(true)).isEqualTo("the NATS backend is closed");
  }
}
