package io.osapi.adapter.nats;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.JetStreamApiException;
import io.nats.client.api.ApiResponse;
import io.nats.client.support.JsonParser;
import io.osapi.core.domain.BackendUnavailableException;
import io.osapi.core.domain.CorruptRecordException;
import io.osapi.core.domain.PermanentStoreException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** Which failures are permanent (never handled as an outage), and how outages back off. */
class HandlerFailuresTest {
  @Test
  void permanentErrorsAreToldFromOutages() {
    assertThat(HandlerFailures.permanent(new PermanentStoreException("too large", null))).isTrue();
    assertThat(HandlerFailures.permanent(new CorruptRecordException("not JSON", null))).isTrue();
    assertThat(HandlerFailures.permanent(new BackendUnavailableException("away", null)))
        .isFalse();
    assertThat(HandlerFailures.permanent(new IllegalStateException("closed"))).isFalse();
  }

  @Test
  void natsRefusalsArePermanentAndTimeoutsAreNot() {
    IllegalArgumentException tooLarge =
        new IllegalArgumentException("Message payload size exceed server configuration");
    assertThat(NatsErrors.permanent(new CompletionException(tooLarge))).isTrue();
    assertThat(NatsErrors.outcomeUnknown(tooLarge)).isFalse();
    assertThat(NatsErrors.refused("writing a run of job x", new CompletionException(tooLarge)))
        .hasMessage("NATS refused writing a run of job x: Message payload size exceed server"
            + " configuration");
    assertThat(NatsErrors.permanent(new CompletionException(new TimeoutException()))).isFalse();
    assertThat(NatsErrors.permanent(apiError(400, 10054, "message size exceeds maximum allowed")))
        .isTrue();
    assertThat(NatsErrors.permanent(apiError(503, 10008, "JetStream system temporarily"
        + " unavailable"))).isFalse();
  }

  private static JetStreamApiException apiError(int code, int errCode, String description) {
    return new JetStreamApiException(new ApiResponse<Object>(JsonParser.parseUnchecked(
        "{\"error\":{\"code\":" + code + ",\"err_code\":" + errCode + ",\"description\":\""
            + description + "\"}}")) {});
  }

  @Test
  void outagesBackOffFromFiveSecondsToFiveMinutes() {
    assertThat(HandlerFailures.retryDelay(1)).isEqualTo(Duration.ofSeconds(5));
    assertThat(HandlerFailures.retryDelay(2)).isEqualTo(Duration.ofSeconds(10));
    assertThat(HandlerFailures.retryDelay(4)).isEqualTo(Duration.ofSeconds(40));
    assertThat(HandlerFailures.retryDelay(7)).isEqualTo(Duration.ofMinutes(5));
    assertThat(HandlerFailures.retryDelay(1_000_000)).isEqualTo(Duration.ofMinutes(5));
    assertThat(HandlerFailures.retryDelay(0)).isEqualTo(Duration.ofSeconds(5));
  }
}
