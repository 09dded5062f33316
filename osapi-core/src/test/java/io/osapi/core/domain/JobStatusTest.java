package io.osapi.core.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class JobStatusTest {

  @Test
  void anAnyJobsStatusFollowsItsOneRun() {
    assertThat(JobStatus.of(null)).isEqualTo(JobStatus.SUBMITTED);
    assertThat(JobStatus.of(RunState.RELEASED)).isEqualTo(JobStatus.SUBMITTED);
    assertThat(JobStatus.of(RunState.RUNNING)).isEqualTo(JobStatus.PROCESSING);
    assertThat(JobStatus.of(RunState.COMPLETED)).isEqualTo(JobStatus.COMPLETED);
    assertThat(JobStatus.of(RunState.FAILED)).isEqualTo(JobStatus.FAILED);
  }

  @Test
  void aBroadcastIsDecidedOnlyOnceEveryExpectedRunIsTerminal() {
    var c = RunState.COMPLETED;
    var f = RunState.FAILED;
    assertThat(JobStatus.aggregate(List.of(c, c), 2)).isEqualTo(JobStatus.COMPLETED);
    assertThat(JobStatus.aggregate(List.of(f, f), 2)).isEqualTo(JobStatus.FAILED);
    assertThat(JobStatus.aggregate(List.of(c, f), 2)).isEqualTo(JobStatus.PARTIAL_FAILURE);
    assertThat(JobStatus.aggregate(List.of(c), 2)).as("one expected run missing")
        .isEqualTo(JobStatus.PROCESSING);
    assertThat(JobStatus.aggregate(List.of(c, f), 3)).isEqualTo(JobStatus.PROCESSING);
    assertThat(JobStatus.aggregate(List.of(c, RunState.RELEASED), 2))
        .isEqualTo(JobStatus.PROCESSING);
  }

  @Test
  void aBroadcastIsSubmittedUntilSomeoneHoldsOrFinishesIt() {
    assertThat(JobStatus.aggregate(List.of(), 3)).isEqualTo(JobStatus.SUBMITTED);
    assertThat(JobStatus.aggregate(List.of(RunState.RELEASED, RunState.RELEASED), 3))
        .isEqualTo(JobStatus.SUBMITTED);
    assertThat(JobStatus.aggregate(List.of(RunState.RUNNING), 3)).isEqualTo(JobStatus.PROCESSING);
    assertThat(JobStatus.aggregate(List.of(RunState.RUNNING, RunState.RELEASED), 2))
        .isEqualTo(JobStatus.PROCESSING);
  }

  @Test
  void wireNamesRoundTripAndUnknownOnesAreRefusedClearly() {
    for (JobStatus s : JobStatus.values()) {
      assertThat(JobStatus.fromWire(s.wire())).isEqualTo(s);
    }
    assertThat(JobStatus.PARTIAL_FAILURE.wire()).isEqualTo("partial_failure");
    assertThatThrownBy(() -> JobStatus.fromWire("done"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'done'")
        .hasMessageContaining("partial_failure");
    assertThatThrownBy(() -> JobStatus.fromWire(null)).isInstanceOf(InvalidInputException.class);
  }

  @Test
  void aCancelledRunMakesTheEndedJobCancelled() {
    assertThat(JobStatus.of(RunState.CANCELLED)).isEqualTo(JobStatus.CANCELLED);
    assertThat(JobStatus.aggregate(java.util.List.of(RunState.COMPLETED, RunState.CANCELLED), 2))
        .isEqualTo(JobStatus.CANCELLED);
    assertThat(JobStatus.aggregate(java.util.List.of(RunState.CANCELLED), 2))
        .as("one expected worker still to answer").isEqualTo(JobStatus.PROCESSING);
    assertThat(JobStatus.aggregate(java.util.List.of(RunState.COMPLETED, RunState.FAILED), 2))
        .as("the control: without a cancelled run").isEqualTo(JobStatus.PARTIAL_FAILURE);
    assertThat(JobStatus.fromWire("cancelled")).isEqualTo(JobStatus.CANCELLED);
    assertThat(JobStatus.CANCELLED.terminal()).isTrue();
    assertThat(JobStatus.PROCESSING.terminal()).isFalse();
  }
}
