package io.osapi.adapter.otel.logging;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.osapi.adapter.otel.OtelJobTracing;
import io.osapi.core.domain.Job;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.Operation;
import io.osapi.core.domain.OperationKind;
import io.osapi.core.domain.Target;
import io.osapi.core.port.JobSpan;
import io.osapi.core.port.JobTracing;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class CorrelatingFormatterTest {
  private static final Job JOB = new Job(JobId.parse("01a2490c-b468-73bd-9633-aeeb3758ed4b"),
      new Operation("diag.echo", "{}"), OperationKind.QUERY, Target.Any.INSTANCE, Instant.now());

  private static LogRecord record(String msg) {
    LogRecord r = new LogRecord(Level.INFO, msg);
    r.setLoggerName("io.osapi.test");
    return r;
  }

  @Test
  void aLineWrittenDuringARunCarriesItsTraceSpanAndJobAndNoneAfter() throws Exception {
    CorrelatingFormatter json = new CorrelatingFormatter(CorrelatingFormatter.Format.JSON);
    CorrelatingFormatter text = new CorrelatingFormatter(CorrelatingFormatter.Format.TEXT);
    try (SdkTracerProvider provider = SdkTracerProvider.builder().build()) {
      JobSpan run = new OtelJobTracing(provider).jobProcess(JOB, null,
          new JobTracing.ProcessRun("w1", 1, null));
      String inside;
      String insideText;
      try (JobSpan.Scope s = run.activate()) {
        inside = json.format(record("job \"x\"\n\tran"));
        insideText = text.format(record("ran"));
      }
      String after = json.format(record("idle"));
      assertThat(inside).isEqualTo("{\"time\":\"" + inside.substring(9, inside.indexOf('"', 9))
          + "\",\"level\":\"INFO\",\"logger\":\"io.osapi.test\",\"message\":\"job \\\"x\\\"\\n\\tran\","
          + "\"trace_id\":\"" + run.context().traceId() + "\",\"span_id\":\""
          + run.context().spanId() + "\",\"job_id\":\"01a2490c-b468-73bd-9633-aeeb3758ed4b\"}\n");
      assertThat(insideText).endsWith(" INFO io.osapi.test: ran trace_id="
          + run.context().traceId() + " span_id=" + run.context().spanId()
          + " job_id=01a2490c-b468-73bd-9633-aeeb3758ed4b" + System.lineSeparator());
      assertThat(after).doesNotContain("trace_id").doesNotContain("job_id");
      run.end();
    }
  }

  @Test
  void aPooledThreadDoesNotCarryAFinishedRunIntoItsNextTask() throws Exception {
    CorrelatingFormatter json = new CorrelatingFormatter(CorrelatingFormatter.Format.JSON);
    ExecutorService one = Executors.newSingleThreadExecutor();
    try {
      // tracing off: the spans are no-ops, the job id is still current during the run
      JobTracing off = new OtelJobTracing(TracerProvider.noop());
      String during = one.submit(() -> {
        JobSpan run = off.jobProcess(JOB, null, new JobTracing.ProcessRun("w1", 1, null));
        try (JobSpan.Scope s = run.activate()) {
          return json.format(record("running"));
        } finally {
          run.end();
        }
      }).get();
      String next = one.submit(() -> json.format(record("next task"))).get();
      assertThat(during).contains("\"job_id\":\"01a2490c-b468-73bd-9633-aeeb3758ed4b\"")
          .doesNotContain("trace_id");
      assertThat(next).doesNotContain("job_id");
    } finally {
      one.shutdown();
    }
  }

  @Test
  void controlCharactersAndThrownAreEscaped() {
    LogRecord r = record("bell\u0007 and \u2028");
    r.setThrown(new IllegalStateException("boom"));
    String line = new CorrelatingFormatter(CorrelatingFormatter.Format.JSON).format(r);
    assertThat(line).contains("bell\\u0007 and \\u2028").contains("\"thrown\":\"java.lang"
        + ".IllegalStateException: boom\\n").endsWith("}\n");
    assertThat(line.indexOf('\n')).isEqualTo(line.length() - 1);
  }
}
