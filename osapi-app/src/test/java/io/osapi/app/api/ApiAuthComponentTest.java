package io.osapi.app.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.app.wiring.TestApp;
import io.osapi.app.wiring.TestAppComponent;
import io.osapi.core.testing.RecordingJobMetrics;
import java.net.http.HttpResponse;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The bearer token: every API request needs it; health and metrics stay open. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiAuthComponentTest {
  private static final String TOKEN = "s3cret-token-42";

  private TestApp app;
  private RecordingJobMetrics metrics;

  @BeforeAll
  void start() throws Exception {
    app = TestApp.recording(Optional.of(TOKEN), 4096);
    metrics = app.component(TestAppComponent.class).metrics();
  }

  @AfterAll
  void stop() {
    app.close();
  }

  private HttpResponse<String> withAuth(String method, String path, String body, String header) {
    return app.send(method, path, body,
        b -> header == null ? b : b.header("Authorization", header));
  }

  private void assertUnauthorized(String method, String path, String body, String header) {
    long created = metrics.createdTotal();
    HttpResponse<String> r = withAuth(method, path, body, header);
    assertThat(r.statusCode()).as("%s %s with %s", method, path, header).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
        v -> assertThat(v).startsWith("Bearer"));
    assertThat(r.body()).contains("\"error\"").doesNotContain(TOKEN);
    assertThat(metrics.createdTotal()).isEqualTo(created);
  }

  @Test
  void aMissingOrWrongTokenIs401() {
    long stored = total();
    String create = "{\"operation\":{\"type\":\"diag.echo\"}}";
    for (String header : new String[] {null, "", "Bearer", "Bearer ", "Bearer wrong",
        "Bearer " + TOKEN + "x", "Bearer " + TOKEN.substring(1), "Basic " + TOKEN, TOKEN,
        "Bearer  " + TOKEN.toUpperCase()}) {
      assertUnauthorized("POST", "/api/v1/jobs", create, header);
      assertUnauthorized("GET", "/api/v1/jobs", null, header);
      assertUnauthorized("GET", "/api/v1/jobs/stats", null, header);
      assertUnauthorized("GET", "/api/v1/workers", null, header);
    }
    // refused before routing, method checks and body reading
    assertUnauthorized("PUT", "/api/v1/jobs", create, null);
    assertUnauthorized("GET", "/api/v1/nothing", null, "Bearer nope");
    assertUnauthorized("POST", "/api/v1/jobs", "x".repeat(8000), null);
    assertThat(total()).isEqualTo(stored);
  }

  private long total() {
    try {
      return ApiJson.mapper().readTree(app.send("GET", "/api/v1/jobs/stats", null).body())
          .get("total").asLong();
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void theRightTokenPasses() {
    HttpResponse<String> r = app.send("POST", "/api/v1/jobs",
        "{\"operation\":{\"type\":\"diag.echo\"}}");
    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(withAuth("GET", "/api/v1/workers", null, "bearer " + TOKEN).statusCode())
        .isEqualTo(200);
  }

  @Test
  void theConfiguredCapApplies() {
    HttpResponse<String> r = app.send("POST", "/api/v1/jobs",
        "{\"operation\":{\"type\":\"diag.echo\",\"data\":{\"s\":\"" + "x".repeat(5000) + "\"}}}");
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(r.body()).contains("4096");
  }

  @Test
  void healthAndMetricsNeedNoToken() {
    assertThat(app.get(app.metricsUri()).statusCode()).isEqualTo(200);
    assertThat(app.get(app.metricsUri().resolve("/health")).statusCode()).isEqualTo(200);
  }
}
