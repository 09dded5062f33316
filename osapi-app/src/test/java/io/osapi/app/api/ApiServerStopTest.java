package io.osapi.app.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import io.osapi.app.config.ApiSettings;
import io.osapi.app.config.HostPort;
import io.osapi.core.memory.InMemoryBroker;
import io.osapi.core.operations.BuiltinOperations;
import io.osapi.core.service.JobClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link ApiServer#stop(Instant)} lets running requests finish until its deadline, not longer. */
@Timeout(60)
class ApiServerStopTest {
  private final InMemoryBroker broker = InMemoryBroker.create();
  private final CountDownLatch entered = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void releaseAll() {
    release.countDown();
  }

  /** A filter that holds every request until {@link #release}. */
  private final Filter hold =
      new Filter() {
        @Override
        public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
          entered.countDown();
          try {
            release.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          chain.doFilter(exchange);
        }

        @Override
        public String description() {
          return "holds requests";
        }
      };

  private ApiServer startServer() throws IOException {
    JobClient client = JobClient.builder(broker, BuiltinOperations.registry()).build();
    ApiSettings settings = ApiSettings.on(new HostPort("127.0.0.1", 0));
    io.osapi.core.audit.AuditLog audit = new io.osapi.core.audit.InMemoryAuditLog();
    JobsApi api = new JobsApi(client, audit, settings.maxBodyBytes(), () -> true,
        Clock.systemUTC(), io.osapi.app.wiring.HttpModule.STORE_LIMITS);
    ApiServer server = new ApiServer(settings, api, List.of(hold), EdgeAccess.of(
        io.osapi.app.auth.Authenticator.none(), io.osapi.core.port.AccessMetrics.noop(),
        new AuditTrail(audit, io.osapi.core.port.AccessMetrics.noop(),
            java.time.Duration.ofSeconds(1), false),
        client, BuiltinOperations.registry(), Clock.systemUTC(),
        io.osapi.app.wiring.HttpModule.STORE_LIMITS));
    server.start();
    return server;
  }

  private static CompletableFuture<HttpResponse<String>> getJobs(ApiServer server) {
    return HttpClient.newHttpClient().sendAsync(
        HttpRequest.newBuilder(URI.create(server.baseUri() + "/jobs/stats")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aRunningRequestFinishesWhenTheDeadlineAllowsIt() throws Exception {
    ApiServer server = startServer();
    CompletableFuture<HttpResponse<String>> inFlight = getJobs(server);
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
    // released after 2.5 s: past the time the server used to give (1 s, then 1 s for the handler
    // threads), well inside the deadline
    Thread releaser = new Thread(() -> {
      try {
        Thread.sleep(2500);
      } catch (InterruptedException e) {
        return;
      }
      release.countDown();
    });
    releaser.start();
    server.stop(Instant.now().plusSeconds(20));
    assertThat(release.getCount()).as("stop waited for the running request").isZero();
    assertThat(inFlight.get(10, TimeUnit.SECONDS).statusCode()).isNotZero();
    assertThat(server.isRunning()).isFalse();
  }

  @Test
  void anIdleServerStopsAtOnceWhateverItsDeadline() throws Exception {
    ApiServer server = startServer();
    assertThat(getJobsUnheld(server)).isEqualTo(200); // a finished exchange, a kept connection
    // a process's drain deadline is far: an idle API must not sit on it
    org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(15),
        () -> server.stop(Instant.now().plusSeconds(120)));
    assertThat(server.isRunning()).isFalse();
  }

  private int getJobsUnheld(ApiServer server) throws Exception {
    release.countDown();
    return getJobs(server).get(10, TimeUnit.SECONDS).statusCode();
  }

  @Test
  void stopReturnsByItsDeadlineWhileARequestStillRuns() throws Exception {
    ApiServer server = startServer();
    CompletableFuture<HttpResponse<String>> inFlight = getJobs(server);
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
    server.stop(Instant.now().plus(Duration.ofMillis(300)));
    assertThat(release.getCount()).as("the request is still held when stop returns").isOne();
    assertThat(server.isRunning()).isFalse();
    release.countDown();
    // the held request's connection was closed: it fails or gets an answer, it does not hang
    assertThat(inFlight.handle((r, t) -> true).get(10, TimeUnit.SECONDS)).isTrue();
  }
}
