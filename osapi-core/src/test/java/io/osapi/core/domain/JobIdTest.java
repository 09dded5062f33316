package io.osapi.core.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class JobIdTest {
  @Test
  void idsAreVersion7AndSortInCreationOrderEvenWithinAMillisecond() {
    Clock fixed = Clock.fixed(Instant.parse("2026-11-26T10:00:00Z"), ZoneOffset.UTC);
    List<JobId> ids = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      ids.add(JobId.generate(i < 5000 ? fixed : Clock.systemUTC()));
    }
    List<JobId> sorted = new ArrayList<>(ids);
    sorted.sort(null);
    assertThat(sorted).containsExactlyElementsOf(ids);
    UUID u = UUID.fromString(ids.get(0).value());
    assertThat(u.version()).isEqualTo(7);
    assertThat(u.variant()).isEqualTo(2);
  }

  @Test
  void parseRefusesAnythingElse() {
    assertThatThrownBy(() -> JobId.parse("nope")).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("not a job id");
    assertThatThrownBy(() -> JobId.parse("0190A0B0-0000-7000-8000-000000000000"))
        .isInstanceOf(InvalidInputException.class);
    assertThat(JobId.parse("0190a0b0-0000-7000-8000-000000000000").value())
        .isEqualTo("0190a0b0-0000-7000-8000-000000000000");
  }
}
