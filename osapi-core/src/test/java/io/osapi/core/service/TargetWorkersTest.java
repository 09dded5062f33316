package io.osapi.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.osapi.core.domain.InvalidInputException;
import io.osapi.core.domain.KeyDecision;
import io.osapi.core.domain.OperationDefinition;
import io.osapi.core.domain.OperationKind;
import io.osapi.core.domain.SchedulingState;
import io.osapi.core.domain.Target;
import io.osapi.core.domain.WorkerInfo;
import io.osapi.core.domain.WorkerRoster;
import io.osapi.core.memory.InMemoryWorkerRegistry;
import io.osapi.core.port.WorkerRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A broadcast's expected workers and the {@code _any} check read a registry that may reuse its
 * reads (as the NATS one does for other processes' writes): a refusal is decided on a fresh read.
 */
class TargetWorkersTest {
  private static final OperationDefinition ECHO =
      new OperationDefinition("diag.echo", OperationKind.QUERY, "echo", c -> "{}");

  private static WorkerInfo worker(String id, List<String> allow) {
    Instant now = Instant.now();
    return new WorkerInfo(id, Map.of(), now, now, 0, 2, SchedulingState.READY, null, null, null,
        allow);
  }

  @Test
  void aHostRegisteredAfterAKeptReadIsExpectedNotRefused() {
    ReusingWorkerRegistry registry = new ReusingWorkerRegistry();
    TargetWorkers targets = new TargetWorkers(registry);
    registry.heartbeat(worker("web.01", null));
    assertThat(targets.expected(Target.parse("host:web.01"), ECHO)).containsExactly("web.01");
    assertThat(registry.forgotten).as("a match rests on the kept read").isZero();

    registry.heartbeat(worker("web.02", null)); // after the read this registry keeps
    assertThat(targets.expected(Target.parse("host:web.02"), ECHO)).containsExactly("web.02");
    assertThat(registry.forgotten).isEqualTo(1);
    // the control: a host that is not registered is still refused, on a fresh read
    assertThatThrownBy(() -> targets.expected(Target.parse("host:web.03"), ECHO))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("web.03");
    assertThat(registry.forgotten).isEqualTo(2);
  }

  @Test
  void aDrainWithdrawnAfterAKeptReadDoesNotRefuse() {
    ReusingWorkerRegistry registry = new ReusingWorkerRegistry();
    TargetWorkers targets = new TargetWorkers(registry);
    registry.heartbeat(worker("web.01", null));
    registry.requestDrain("web.01");
    assertThatThrownBy(() -> targets.expected(Target.parse("host:web.01"), ECHO))
        .isInstanceOf(InvalidInputException.class);
    registry.cancelDrain("web.01"); // after the read this registry keeps
    assertThat(targets.expected(Target.parse("host:web.01"), ECHO)).containsExactly("web.01");
  }

  @Test
  void anAnyJobIsRefusedOnAFreshReadOnly() {
    ReusingWorkerRegistry registry = new ReusingWorkerRegistry();
    TargetWorkers targets = new TargetWorkers(registry);
    registry.heartbeat(worker("web.01", List.of("other.*")));
    assertThatThrownBy(() -> targets.requireSomeoneAllows(ECHO))
        .isInstanceOf(InvalidInputException.class);
    registry.heartbeat(worker("web.02", List.of("diag.*"))); // after the read this registry keeps
    targets.requireSomeoneAllows(ECHO);
  }
}
