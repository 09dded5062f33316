package io.osapi.app.wiring;

import io.osapi.app.config.ApiSettings;
import io.osapi.app.config.HostPort;
import io.osapi.app.config.LifecycleSettings;
import io.osapi.app.config.MetricsSettings;
import io.osapi.app.config.ProcessKind;
import io.osapi.app.config.ProcessSettings;
import io.osapi.app.config.Secret;
import io.osapi.core.service.WorkerConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A running test process (a test component's all-in-one assembly on loopback, port 0) with a
 * small HTTP client for its API and metrics endpoint.
 */
public final class TestApp implements AutoCloseable {
  /** The worker id of the test process. */
  public static final String WORKER_ID = "test-worker";

  private final TestComponent component;
  private final HttpClient http = HttpClient.newHttpClient();
  private final Optional<String> token;

  private TestApp(TestComponent component, Optional<String> token) throws Exception {
    this.component = component;
    this.token = token;
    component.process().start();
  }

  /** Settings on loopback with free ports, worker {@value #WORKER_ID} labelled group=web.dev. */
  public static ProcessSettings settings(Optional<String> token, int maxBodyBytes) {
    return settings(token, maxBodyBytes, List.of());
  }

  /** As {@link #settings(Optional, int)}, with {@code --api-host-names}. */
  public static ProcessSettings settings(
      Optional<String> token, int maxBodyBytes, List<String> hostNames) {
    HostPort any = new HostPort("127.0.0.1", 0);
    ApiSettings api =
        new ApiSettings(any, token.map(Secret::of), maxBodyBytes, 8, hostNames)
            .withCreatePatience(Duration.ofSeconds(2));
    WorkerConfig w =
        WorkerConfig.defaults(WORKER_ID)
            .withLabels(Map.of("group", "web.dev"))
            .withDelivery(Duration.ofSeconds(30), 3, Duration.ofMillis(200));
    return new ProcessSettings(
        ProcessKind.ALL_IN_ONE,
        Optional.empty(),
        Optional.of(api),
        new MetricsSettings(any, Optional.empty(), "osapi-test"),
        Optional.of(w),
        new LifecycleSettings(
            Duration.ofSeconds(5), Duration.ofMillis(200), Duration.ofMillis(100)));
  }

  /** The recording test process with the default body cap and no token. */
  public static TestApp recording() throws Exception {
    return recording(Optional.empty(), ApiSettings.DEFAULT_MAX_BODY_BYTES);
  }

  /** The recording test process. */
  public static TestApp recording(Optional<String> token, int maxBodyBytes) throws Exception {
    return new TestApp(
        DaggerTestAppComponent.builder().settings(settings(token, maxBodyBytes)).build(), token);
  }

  /** The recording test process answering for {@code hostNames} too, no token. */
  public static TestApp withHostNames(List<String> hostNames) throws Exception {
    return new TestApp(
        DaggerTestAppComponent.builder()
            .settings(settings(Optional.empty(), ApiSettings.DEFAULT_MAX_BODY_BYTES, hostNames))
            .build(),
        Optional.empty());
  }

  /** The test process with the real OTel metrics adapter. */
  public static TestApp otel() throws Exception {
    return new TestApp(
        DaggerOtelTestAppComponent.builder()
            .settings(settings(Optional.empty(), ApiSettings.DEFAULT_MAX_BODY_BYTES))
            .build(),
        Optional.empty());
  }

  /** The test process whose backend starts disconnected. */
  public static TestApp switchable() throws Exception {
    return new TestApp(
        DaggerSwitchableTestAppComponent.builder()
            .settings(settings(Optional.empty(), ApiSettings.DEFAULT_MAX_BODY_BYTES))
            .build(),
        Optional.empty());
  }

  /** The component, for its parts. */
  public <T extends TestComponent> T component(Class<T> type) {
    return type.cast(component);
  }

  /** The controller's base URL, like {@code http://127.0.0.1:40123}. */
  public URI controller() {
    return URI.create("http://127.0.0.1:" + component.apiServer().boundAddress().getPort());
  }

  /** The URL of {@code /metrics}. */
  public URI metricsUri() {
    return component.metricsEndpoint().metricsUri();
  }

  /**
   * Sends a request as the API's clients do: with the configured token (if any) and, with a body
   * ({@code body} null for none) or on a POST, {@code Content-Type: application/json}.
   */
  public HttpResponse<String> send(String method, String path, String body) {
    return send(method, path, body, b -> {
      HttpRequest.Builder t = token.map(v -> b.header("Authorization", "Bearer " + v)).orElse(b);
      return body == null && !method.equals("POST") ? t
          : t.header("Content-Type", "application/json");
    });
  }

  /** Sends a request, letting {@code headers} add headers (no token is added). */
  public HttpResponse<String> send(
      String method, String path, String body,
      Function<HttpRequest.Builder, HttpRequest.Builder> headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(controller() + path)).timeout(Duration.ofSeconds(10));
    b = headers.apply(b);
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body));
    return send(b.build());
  }

  /** Sends any request. */
  public HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException("request failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** GET of a full URL (the metrics endpoint). */
  public HttpResponse<String> get(URI uri) {
    return send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build());
  }

  @Override
  public void close() {
    component.process().stop();
  }
}
