package io.osapi.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.app.config.HostOperations;
import io.osapi.app.config.ProcessSettings;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The host operation options of the worker and the all-in-one: off by default, validated. */
class HostOperationOptionsTest {
  private static ProcessSettings settings(Map<String, String> env, String... args) {
    return ServerOptionsTest.settings(env, args);
  }

  @Test
  void noVariablesAnd64KiBByDefault() {
    for (String[] args : new String[][] {{}, {"worker"}}) {
      HostOperations h = settings(Map.of(), args).hostOperations();
      assertThat(h.limits().allowedEnv()).isEmpty();
      assertThat(h.limits().outputCapBytes()).isEqualTo(65536);
    }
  }

  @Test
  void optionsAndTheEnvironmentSetThem() {
    HostOperations h = settings(Map.of(), "worker",
        "--allow-env", "GREETING, LANG", "--output-cap-bytes", "1024").hostOperations();
    assertThat(h.limits().allowedEnv()).containsExactlyInAnyOrder("GREETING", "LANG");
    assertThat(h.limits().outputCapBytes()).isEqualTo(1024);
    assertThat(settings(Map.of("OSAPI_ALLOW_ENV", "TZ")).hostOperations().limits().allowedEnv())
        .containsExactly("TZ");
  }

  @Test
  void badValuesAreOneLineNamingTheOption() {
    for (String[] args : new String[][] {
        {"worker", "--allow-env", "A-B"}, {"--allow-env", "A,,B"},
        {"worker", "--output-cap-bytes", "0"}, {"--output-cap-bytes", "262145"}}) {
      CliRun r = CliRun.run(Map.of(), args);
      assertThat(r.code()).as(String.join(" ", args)).isEqualTo(2);
      assertThat(r.err()).contains(args[args.length - 2]);
      assertThat(r.err().strip().lines()).hasSize(1);
    }
  }
}
