package io.osapi.app.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.osapi.core.domain.InvalidInputException;
import io.osapi.core.schedule.Cadence;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class CronUtilsParserTest {
  private final CronUtilsParser parser = new CronUtilsParser();

  @Test
  void readsFiveFieldsInUtc() {
    Cadence c = parser.parse("30 2 * * *", ZoneOffset.UTC);
    assertThat(c.next(Instant.parse("2026-12-06T01:00:00Z")))
        .contains(Instant.parse("2026-12-06T02:30:00Z"));
    assertThat(c.next(Instant.parse("2026-12-06T02:30:00Z"))) // strictly after
        .contains(Instant.parse("2026-12-07T02:30:00Z"));
  }

  @Test
  void listsStepsAndNames() {
    Cadence c = parser.parse("*/15 8,20 * * MON-FRI", ZoneOffset.UTC);
    // 2026-12-05 is a Saturday: the next is Monday 08:00
    assertThat(c.next(Instant.parse("2026-12-05T21:00:00Z")))
        .contains(Instant.parse("2026-12-07T08:00:00Z"));
    assertThat(c.next(Instant.parse("2026-12-07T08:00:00Z")))
        .contains(Instant.parse("2026-12-07T08:15:00Z"));
  }

  @Test
  void followsTheTimeZoneThroughDaylightSaving() {
    Cadence c = parser.parse("0 9 * * *", ZoneId.of("Europe/Paris"));
    assertThat(c.next(Instant.parse("2026-03-28T12:00:00Z"))) // CET -> CEST on the 29th
        .contains(Instant.parse("2026-03-29T07:00:00Z"));
    assertThat(c.next(Instant.parse("2026-03-27T12:00:00Z")))
        .contains(Instant.parse("2026-03-28T08:00:00Z"));
  }

  @Test
  void refusesWhatIsNotFiveValidFields() {
    for (String bad : new String[] {"", "* * * *", "0 0 * * * *", "61 * * * *", "* 25 * * *",
        "hello world foo bar baz", "x".repeat(300)}) {
      assertThatThrownBy(() -> parser.parse(bad, ZoneOffset.UTC))
          .as(bad).isInstanceOf(InvalidInputException.class)
          .satisfies(e -> assertThat(((InvalidInputException) e).field()).isEqualTo("cron"));
    }
  }
}
