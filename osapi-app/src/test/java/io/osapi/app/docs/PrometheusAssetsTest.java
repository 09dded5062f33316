package io.osapi.app.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.adapter.otel.Promtool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/prometheus/: the rules pass {@code promtool check rules}, their unit tests pass {@code
 * promtool test rules}, the scrape config passes {@code promtool check config}. And the unit tests
 * can fail: a flipped expectation fails them, and so does each alert made never to fire or always
 * to fire (so every alert has a test that it fires and one that it stays quiet).
 */
class PrometheusAssetsTest {
  private static final Pattern ALERT = Pattern.compile("^(\\s*)- alert: (\\S+)\\s*$");
  private static final Pattern EXPR = Pattern.compile("^(\\s*)expr:(.*)$");

  @TempDir Path tmp;

  private static Promtool.Result promtool(String... args) {
    return Promtool.run("", args);
  }

  @Test
  void rulesPassCheckRules() {
    Promtool.Result r = promtool("check", "rules", path("docs/prometheus/alerts.yml"));
    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(r.output()).contains("SUCCESS: " + alerts(DocFiles.read(
        "docs/prometheus/alerts.yml")).size() + " rules found");
  }

  @Test
  void ruleUnitTestsPass() {
    Promtool.Result r = promtool("test", "rules", path("docs/prometheus/alerts_test.yml"));
    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(r.output()).contains("SUCCESS");
  }

  @Test
  void scrapeConfigPassesCheckConfig() {
    Promtool.Result r = promtool("check", "config", path("docs/prometheus/prometheus.yml"));
    assertThat(r.exitCode()).as(r.output()).isZero();
    String yml = DocFiles.read("docs/prometheus/prometheus.yml");
    assertThat(yml).contains("job_name: osapi-controller", "job_name: osapi-worker",
        "- alerts.yml");
  }

  @Test
  void aFlippedExpectationFailsTheUnitTests() throws IOException {
    String quiet = "{eval_time: 30m, alertname: OsapiNatsDisconnected, exp_alerts: []}";
    String tests = DocFiles.read("docs/prometheus/alerts_test.yml");
    assertThat(tests).contains(quiet);
    Promtool.Result r = testRules(DocFiles.read("docs/prometheus/alerts.yml"),
        tests.replace(quiet, "{eval_time: 30m, alertname: OsapiNatsDisconnected,"
            + " exp_alerts: [{exp_labels: {severity: critical, instance: \"w1:9091\"}}]}"));
    assertThat(r.exitCode()).as(r.output()).isNotZero();
    assertThat(r.output()).contains("OsapiNatsDisconnected");
  }

  @Test
  void everyAlertIsTestedToFireAndToStayQuiet() throws IOException {
    String rules = DocFiles.read("docs/prometheus/alerts.yml");
    String tests = DocFiles.read("docs/prometheus/alerts_test.yml");
    List<String> names = alerts(rules);
    assertThat(names).hasSizeGreaterThanOrEqualTo(10);
    List<String> untested = new ArrayList<>();
    for (String name : names) {
      Promtool.Result never = testRules(withExpr(rules, name, "vector(0) > 1"), tests);
      if (never.exitCode() == 0) {
        untested.add(name + ": no test fails when it never fires");
      }
      Promtool.Result always = testRules(withExpr(rules, name, "vector(1)"), tests);
      if (always.exitCode() == 0) {
        untested.add(name + ": no test fails when it always fires");
      }
    }
    assertThat(untested).isEmpty();
  }

  /** {@code promtool test rules} on copies of the two files in a fresh directory. */
  private Promtool.Result testRules(String rules, String tests) throws IOException {
    Path d = Files.createTempDirectory(tmp, "rules");
    Files.writeString(d.resolve("alerts.yml"), rules);
    Path t = Files.writeString(d.resolve("alerts_test.yml"), tests);
    return promtool("test", "rules", t.toString());
  }

  /** The alert names of a rule file, in order. */
  static List<String> alerts(String rules) {
    List<String> out = new ArrayList<>();
    for (String line : rules.split("\n")) {
      Matcher m = ALERT.matcher(line);
      if (m.matches()) {
        out.add(m.group(2));
      }
    }
    return out;
  }

  /** The rule file with alert {@code name}'s expression (one line or a block) replaced. */
  static String withExpr(String rules, String name, String expr) {
    List<String> lines = new ArrayList<>(List.of(rules.split("\n", -1)));
    int start = -1;
    for (int i = 0; i < lines.size(); i++) {
      Matcher m = ALERT.matcher(lines.get(i));
      if (m.matches() && m.group(2).equals(name)) {
        start = i;
        break;
      }
    }
    assertThat(start).as("alert %s in alerts.yml", name).isNotNegative();
    for (int i = start + 1; i < lines.size() && !ALERT.matcher(lines.get(i)).matches(); i++) {
      Matcher m = EXPR.matcher(lines.get(i));
      if (!m.matches()) {
        continue;
      }
      int indent = m.group(1).length();
      lines.set(i, m.group(1) + "expr: " + expr);
      if (m.group(2).strip().startsWith("|") || m.group(2).strip().startsWith(">")) {
        while (i + 1 < lines.size() && (lines.get(i + 1).isBlank()
            || lines.get(i + 1).length() - lines.get(i + 1).stripLeading().length() > indent)) {
          lines.remove(i + 1);
        }
      }
      return String.join("\n", lines);
    }
    throw new AssertionError("alert " + name + " has no expr");
  }

  private static String path(String relative) {
    return DocFiles.file(relative).toString();
  }
}
