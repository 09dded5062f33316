package io.osapi.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.osapi.core.domain.Names;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The option parsers and the worker id default. */
class ConfigParsersTest {
  @Test
  void hostPorts() {
    assertThat(HostPort.parse("--x", "127.0.0.1:8080")).isEqualTo(new HostPort("127.0.0.1", 8080));
    assertThat(HostPort.parse("--x", "[::1]:9090")).isEqualTo(new HostPort("::1", 9090));
    assertThat(HostPort.parse("--x", ":0")).isEqualTo(new HostPort("0.0.0.0", 0));
    assertThat(HostPort.parse("--x", "localhost:1").toString()).isEqualTo("localhost:1");
    assertThat(new HostPort("::1", 1).toString()).isEqualTo("[::1]:1");
    for (String bad : new String[] {"", "8080", "host:", "a:b:c", "h:65536", "h:-1", "[::1]",
        "a b:1", "h/x:1"}) {
      assertThatThrownBy(() -> HostPort.parse("--api-addr", bad)).as(bad)
          .isInstanceOf(ConfigException.class).hasMessageStartingWith("invalid value for --api-addr");
    }
  }

  @Test
  void durations() {
    assertThat(Durations.parse("--x", "30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Durations.parse("--x", "2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(Durations.parse("--x", "1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(Durations.parse("--x", "250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(Durations.parse("--x", "1d")).isEqualTo(Duration.ofDays(1));
    assertThat(Durations.parse("--x", "PT5S")).isEqualTo(Duration.ofSeconds(5));
    assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
    for (String bad : new String[] {"", "5", "s", "5x", "1.5s", "-1s", "1s 2s", "PT"}) {
      assertThatThrownBy(() -> Durations.parse("--ack-wait", bad)).as(bad)
          .isInstanceOf(ConfigException.class).hasMessageContaining("--ack-wait");
    }
    assertThatThrownBy(() -> Durations.parsePositive("--x", "0s"))
        .isInstanceOf(ConfigException.class);
  }

  @Test
  void labels() {
    assertThat(Labels.parse("--labels", "group=web.dev, zone=eu"))
        .isEqualTo(Map.of("group", "web.dev", "zone", "eu"));
    assertThat(Labels.parse("--labels", "")).isEmpty();
    assertThat(Labels.format(Map.of("b", "2", "a", "1"))).isEqualTo("a=1,b=2");
    for (String bad : new String[] {"a", "=b", "a=", "A=b", "a=b c", "a=1,a=2", "a=.b"}) {
      assertThatThrownBy(() -> Labels.parse("--labels", bad)).as(bad)
          .isInstanceOf(ConfigException.class).hasMessageContaining("--labels");
    }
  }

  @Test
  void workerIdsComeFromTheHostNameStably() {
    assertThat(WorkerIds.fromHostName("web01.example.com")).isEqualTo("web01.example.com");
    assertThat(WorkerIds.fromHostName("Web 01")).isEqualTo("web-01");
    assertThat(WorkerIds.fromHostName("-_x")).isEqualTo("x");
    assertThat(WorkerIds.fromHostName("h\u00f6st")).isEqualTo("h-st");
    assertThat(WorkerIds.fromHostName("a".repeat(70) + ".example")).isEqualTo("a".repeat(64));
    assertThat(WorkerIds.fromHostName("")).isEqualTo("worker");
    assertThat(WorkerIds.fromHostName(null)).isEqualTo("worker");
    assertThat(WorkerIds.defaultId()).isEqualTo(WorkerIds.defaultId());
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource({
      "web02.example.com., web02.example.com",
      ".web02, web02",
      "a..b, a.b",
      "a...b.., a.b",
      "-.a, a",
      "*.>, worker",
      "x*.y, x-.y",
      "'  Web02.Example.COM.  ', web02.example.com",
      "..., worker",
  })
  void defaultIdsFromAnyHostNameAreValidSubjectTokens(String host, String id) {
    assertThat(WorkerIds.fromHostName(host)).isEqualTo(id);
    Names.requireWorkerId("worker id", WorkerIds.fromHostName(host));
  }

  @Test
  void aLongNameCutAtADotLosesTheDot() {
    String host = "a".repeat(63) + "." + "b".repeat(10);
    // longer than 64: the first label alone
    assertThat(WorkerIds.fromHostName(host)).isEqualTo("a".repeat(63));
    String cut = WorkerIds.fromHostName("x".repeat(63) + ".");
    assertThat(cut).isEqualTo("x".repeat(63));
  }

  @Test
  void secretsNeverShow() {
    assertThat(Secret.of("hunter2").toString()).doesNotContain("hunter2");
  }
}
