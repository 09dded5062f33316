package io.osapi.adapter.otel.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RouteTemplatesTest {

  private final RouteTemplates routes =
      RouteTemplates.of(
          "/api/v1/jobs", "/api/v1/jobs/{id}", "/api/v1/jobs/stats", "/api/v1/jobs/{id}/retry");

  @Test
  void mapsPathsToTheirTemplate() {
    assertThat(routes.apply("/api/v1/jobs")).isEqualTo("/api/v1/jobs");
    assertThat(routes.apply("/api/v1/jobs/0b5c9a")).isEqualTo("/api/v1/jobs/{id}");
    assertThat(routes.apply("/api/v1/jobs/0b5c9a/retry")).isEqualTo("/api/v1/jobs/{id}/retry");
  }

  @Test
  void literalSegmentsWin() {
    assertThat(routes.apply("/api/v1/jobs/stats")).isEqualTo("/api/v1/jobs/stats");
  }

  @Test
  void unknownPathsGiveNull() {
    assertThat(routes.apply("/api/v1/jobs/")).isNull();
    assertThat(routes.apply("/api/v1/jobs/a/b")).isNull();
    assertThat(routes.apply("/api/v2/jobs")).isNull();
    assertThat(routes.apply("")).isNull();
    assertThat(routes.apply(null)).isNull();
  }

  @Test
  void templatesStartWithASlash() {
    assertThatThrownBy(() -> RouteTemplates.of("api/v1"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
