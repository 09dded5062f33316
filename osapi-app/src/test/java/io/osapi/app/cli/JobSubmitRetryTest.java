package io.osapi.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.app.wiring.SwitchableTestAppComponent;
import io.osapi.app.wiring.TestApp;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * {@code job submit} against a real controller whose job store is unavailable: the controller
 * holds the create for its patience (2 s here), then answers 503 with {@code Retry-After: 5}; the
 * command submits again after that time while {@code --retry-for} allows.
 */
class JobSubmitRetryTest {
  @Test
  void a503WithRetryAfterIsSubmittedAgainUntilTheStoreIsBack() throws Exception {
    try (TestApp app = TestApp.switchable()) {
      SwitchableTestAppComponent c = app.component(SwitchableTestAppComponent.class);
      Map<String, String> env = Map.of("OSAPI_CONTROLLER", app.controller().toString());

      CliRun refused = CliRun.run(env, "job", "submit", "--type", "diag.echo", "--retry-for", "0s");
      assertThat(refused.code()).isEqualTo(1);
      assertThat(refused.err()).contains("unavailable").doesNotContain("submitting again");

      StringWriter err = new StringWriter();
      CompletableFuture<CliRun> held = CompletableFuture.supplyAsync(
          () -> CliRun.run(env, err, "job", "submit", "--type", "diag.echo", "--retry-for", "30s"));
      // the store comes back only once the first attempt was refused (after 2 s) and the command
      // said it will submit again (5 s later)
      Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
          .until(() -> err.toString().contains("submitting again in 5s (attempt 2"));
      c.switchable().set(true);
      CliRun r = held.get();
      assertThat(r.code()).as(r.err()).isZero();
      assertThat(r.out()).contains("submitted");
      assertThat(r.errLines()).anyMatch(l -> l.contains("the controller is unavailable")
          && l.contains("submitting again in 5s (attempt 2, --retry-for 30s)"));
      assertThat(c.metrics().createdTotal()).isEqualTo(1);
    }
  }
}
