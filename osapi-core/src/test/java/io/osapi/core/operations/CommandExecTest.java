package io.osapi.core.operations;

import static io.osapi.core.operations.HostOps.alive;
import static io.osapi.core.operations.HostOps.pids;
import static io.osapi.core.operations.HostOps.q;
import static io.osapi.core.operations.HostOps.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.osapi.core.domain.Cancellation;
import io.osapi.core.domain.InvalidInputException;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.Operation;
import io.osapi.core.domain.OperationContext;
import io.osapi.core.domain.OperationFailedException;
import io.osapi.core.domain.OperationRegistry;
import io.osapi.core.internal.Json;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code command.exec} and {@code shell.exec} with real processes. */
class CommandExecTest {
  private static final Duration T = Duration.ofSeconds(30);
  private static final HostLimits LIMITS = HostLimits.defaults().withKillGrace(Duration.ofSeconds(1));
  private static final OperationRegistry OPS = BuiltinOperations.registry(LIMITS);

  @TempDir Path tmp;

  private static Map<String, Object> failed(OperationRegistry ops, String type, String data)
      throws Exception {
    try {
      run(ops, type, data);
    } catch (OperationFailedException e) {
      Map<String, Object> r = Json.parseObject(e.result());
      r.put("error", e.getMessage());
      return r;
    }
    throw new AssertionError(type + " " + data + " did not fail");
  }

  @Test
  void runsWithoutAShellAndReturnsExitCodeAndBothStreams() throws Exception {
    Map<String, Object> r = run(OPS, "command.exec",
        "{\"argv\":[\"sh\",\"-c\",\"echo out; echo err >&2\"]}");
    assertThat(r).containsEntry("exit_code", 0L).containsEntry("stdout", "out\n")
        .containsEntry("stderr", "err\n").containsEntry("stdout_truncated", false)
        .containsEntry("stderr_truncated", false).containsEntry("timed_out", false)
        .containsEntry("changed", true).containsKey("duration_seconds");
    // no shell: a metacharacter is an argument like any other
    assertThat(run(OPS, "command.exec", "{\"argv\":[\"echo\",\"$HOME;\",\"|\",\"*\"]}"))
        .containsEntry("stdout", "$HOME; | *\n");
  }

  @Test
  void aNonZeroExitFailsTheRunAndKeepsTheResult() throws Exception {
    Map<String, Object> r = failed(OPS, "command.exec",
        "{\"argv\":[\"sh\",\"-c\",\"echo partial; echo why >&2; exit 3\"]}");
    assertThat(r).containsEntry("exit_code", 3L).containsEntry("stdout", "partial\n")
        .containsEntry("stderr", "why\n").containsEntry("timed_out", false)
        .containsEntry("error", "the command exited with code 3");
  }

  @Test
  void aProgramThatIsNotThereFailsWithWhy() throws Exception {
    Map<String, Object> r = failed(OPS, "command.exec", "{\"argv\":[\"no-such-program-7q\"]}");
    assertThat((Long) r.get("exit_code")).isNotZero();
    assertThat((String) r.get("stderr")).contains("no-such-program-7q");
  }

  @Test
  void stdinIsFedAndWithoutItTheCommandReadsEndOfFile() throws Exception {
    assertThat(run(OPS, "command.exec", "{\"argv\":[\"cat\"],\"stdin\":\"hello\\nworld\"}"))
        .containsEntry("stdout", "hello\nworld");
    assertThat(run(OPS, "command.exec", "{\"argv\":[\"cat\"]}")).containsEntry("stdout", "");
  }

  @Test
  void cwdIsUsedAndMustBeAnAbsoluteDirectory() throws Exception {
    assertThat(run(OPS, "command.exec",
        "{\"argv\":[\"pwd\"],\"cwd\":" + q(tmp.toString()) + "}"))
        .containsEntry("stdout", tmp + "\n");
    assertThat(run(OPS, "command.exec", "{\"argv\":[\"pwd\"]}")).containsEntry("stdout", "/\n");
    assertField("cwd", "{\"argv\":[\"pwd\"],\"cwd\":\"tmp\"}");
    assertField("cwd", "{\"argv\":[\"pwd\"],\"cwd\":" + q(tmp + "/nope") + "}");
  }

  @Test
  void theEnvironmentHoldsOnlyAllowedNamesAPathAndTheRunMarker() throws Exception {
    assertThat(System.getenv()).containsKey("HOME"); // the worker has more: none of it leaks
    OperationRegistry ops = BuiltinOperations.registry(LIMITS.withAllowedEnv(Set.of("GREETING")));
    Map<String, Object> r = run(ops, "command.exec",
        "{\"argv\":[\"env\"],\"env\":{\"GREETING\":\"hi there\"}}");
    List<String> names = ((String) r.get("stdout")).lines().map(l -> l.split("=", 2)[0]).toList();
    assertThat(names).containsExactlyInAnyOrder("PATH", "GREETING", "OSAPI_RUN");
    assertThat((String) r.get("stdout")).contains("GREETING=hi there\n")
        .contains("PATH=" + CommandRunner.DEFAULT_PATH + "\n");
    // a name the worker does not allow fails the run before anything starts
    assertThatThrownBy(() -> run(ops, "command.exec",
        "{\"argv\":[\"env\"],\"env\":{\"LD_PRELOAD\":\"/tmp/x.so\"}}"))
        .isInstanceOfSatisfying(InvalidInputException.class,
            e -> assertThat(e.field()).isEqualTo("env"))
        .hasMessageContaining("LD_PRELOAD is not allowed on this worker");
    assertThatThrownBy(() -> run(OPS, "command.exec",
        "{\"argv\":[\"env\"],\"env\":{\"GREETING\":\"x\"}}"))
        .hasMessageContaining("GREETING is not allowed on this worker (it allows none");
  }

  @Test
  void outputIsCappedPerStreamAndAChattyProcessNeverBlocks() throws Exception {
    OperationRegistry ops = BuiltinOperations.registry(LIMITS.withOutputCap(1000));
    // 4 MB on each stream, far beyond a pipe's buffer: it ends only if both are drained
    Map<String, Object> r = run(ops, "command.exec", "{\"argv\":[\"sh\",\"-c\","
        + q("yes out | head -c 4000000; yes err | head -c 4000000 >&2; echo done >&2") + "]}");
    assertThat((String) r.get("stdout")).hasSize(1000).startsWith("out\nout\n");
    assertThat((String) r.get("stderr")).hasSize(1000).startsWith("err\n");
    assertThat(r).containsEntry("stdout_truncated", true).containsEntry("stderr_truncated", true)
        .containsEntry("exit_code", 0L);
    // the positive control: at the cap exactly, nothing is cut
    Map<String, Object> fits = run(ops, "command.exec",
        "{\"argv\":[\"sh\",\"-c\"," + q("head -c 1000 /dev/zero | tr '\\\\0' a") + "]}");
    assertThat((String) fits.get("stdout")).hasSize(1000);
    assertThat(fits).containsEntry("stdout_truncated", false);
  }

  @Test
  void aTimeoutEndsTheWholeProcessTree() throws Exception {
    Path pids = tmp.resolve("pids");
    String script = "sleep 300 & echo $! >> " + pids + "; sleep 300 & echo $! >> " + pids
        + "; echo $$ >> " + pids + "; wait";
    CompletableFuture<Map<String, Object>> f = CompletableFuture.supplyAsync(() -> {
      try {
        return failed(OPS, "command.exec",
            "{\"argv\":[\"sh\",\"-c\"," + q(script) + "],\"timeout_seconds\":2}");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    // positive control: the three processes were there and alive
    Awaitility.await().atMost(T).until(() -> pids(pids).size() == 3
        && pids(pids).stream().allMatch(HostOps::alive));
    Map<String, Object> r = f.get();
    assertThat(r).containsEntry("timed_out", true)
        .containsEntry("error", "the command timed out after 2 s; its processes were ended");
    // SIGTERM reaches the whole group at once: the shell dies of it (143) or, when its children
    // went first, its `wait` returns and it exits 0; either way it is ended, as is the tree
    assertThat((Long) r.get("exit_code")).isIn(128 + 15L, 0L);
    assertThat(pids(pids)).hasSize(3).noneMatch(HostOps::alive);
  }

  @Test
  void aCancelEndsTheWholeProcessTreeAtOnce() throws Exception {
    Path pids = tmp.resolve("pids");
    String script = "sleep 300 & echo $! >> " + pids + "; echo $$ >> " + pids + "; wait";
    Cancellation cancel = new Cancellation();
    OperationContext ctx = new OperationContext(JobId.generate(Clock.systemUTC()),
        new Operation("shell.exec", "{\"script\":" + q(script) + ",\"timeout_seconds\":600}"),
        "w1", Map.of(), 1, cancel);
    CompletableFuture<Throwable> f = CompletableFuture.supplyAsync(() -> {
      try {
        OPS.require("shell.exec").handler().execute(ctx);
        return null;
      } catch (Exception e) {
        return e;
      }
    });
    // positive control: both processes were there and alive
    Awaitility.await().atMost(T).until(() -> pids(pids).size() == 2
        && pids(pids).stream().allMatch(HostOps::alive));
    assertThat(f).isNotDone();
    long t0 = System.nanoTime();
    cancel.request();
    Throwable e = f.get();
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
    assertThat(e).isInstanceOfSatisfying(OperationFailedException.class, x -> {
      assertThat(x.getMessage()).isEqualTo("the script was cancelled; its processes were ended");
      assertThat(Json.parseObject(x.result())).containsEntry("cancelled", true)
          .containsEntry("timed_out", false);
    });
    assertThat(pids(pids)).hasSize(2).noneMatch(HostOps::alive);
  }

  @Test
  void aGroupIgnoringSigtermGetsSigkillAfterTheGrace() throws Exception {
    Path pids = tmp.resolve("pids");
    String script = "trap '' TERM; echo $$ >> " + pids + "; sleep 300 & echo $! >> " + pids
        + "; while :; do sleep 1; done";
    Map<String, Object> r = failed(OPS, "command.exec",
        "{\"argv\":[\"sh\",\"-c\"," + q(script) + "],\"timeout_seconds\":1}");
    assertThat(r).containsEntry("timed_out", true).containsEntry("exit_code", 128 + 9L);
    assertThat(pids(pids)).hasSize(2).noneMatch(HostOps::alive);
  }

  @Test
  void whatACommandLeavesBehindEndsWithItEvenInASessionOfItsOwn() throws Exception {
    Path pids = tmp.resolve("pids");
    // a background child, a setsid grandchild and a double-forked setsid daemon
    String script = "sleep 300 & echo $! >> " + pids + "; setsid sleep 301 & echo $! >> " + pids
        + "; (setsid sh -c 'echo $$ >> " + pids + "; exec sleep 302' &); "
        + "while [ $(wc -l < " + pids + ") -lt 3 ]; do sleep 0.05; done; exit 0";
    Map<String, Object> r = run(OPS, "command.exec",
        "{\"argv\":[\"sh\",\"-c\"," + q(script) + "],\"timeout_seconds\":30}");
    assertThat(r).containsEntry("exit_code", 0L).containsEntry("timed_out", false);
    assertThat(pids(pids)).hasSize(3).noneMatch(HostOps::alive);
  }

  @Test
  void anInterruptEndsTheTreeAndIsRethrown() throws Exception {
    Path pids = tmp.resolve("pids");
    String script = "echo $$ >> " + pids + "; sleep 300 & echo $! >> " + pids + "; wait";
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread t = new Thread(() -> {
      try {
        run(OPS, "command.exec", "{\"argv\":[\"sh\",\"-c\"," + q(script) + "]}");
      } catch (Throwable e) {
        thrown.set(e);
      }
    });
    t.start();
    Awaitility.await().atMost(T).until(() -> pids(pids).size() == 2
        && pids(pids).stream().allMatch(HostOps::alive));
    t.interrupt();
    t.join(T.toMillis());
    assertThat(t.isAlive()).isFalse();
    assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
    assertThat(pids(pids)).noneMatch(HostOps::alive);
  }

  @Test
  void shellExecRunsAScriptWithTheDefaultOrAGivenShell() throws Exception {
    Map<String, Object> r = failed(OPS, "shell.exec",
        "{\"script\":\"echo $0; echo in | cat; exit 4\"}");
    assertThat(r).containsEntry("exit_code", 4L).containsEntry("stdout", "/bin/sh\nin\n")
        .containsEntry("error", "the script exited with code 4");
    assertThat(run(OPS, "shell.exec",
        "{\"script\":\"echo ${BASH_VERSION:+bash}\",\"shell\":\"/bin/bash\",\"stdin\":\"\"}"))
        .containsEntry("stdout", "bash\n");
    assertField("shell", "{\"script\":\"true\",\"shell\":\"bash\"}");
    assertField("shell", "{\"script\":\"true\",\"shell\":\"/no/such/shell\"}");
    assertField("script", "{\"shell\":\"/bin/sh\"}");
  }

  @Test
  void badInputNamesTheField() {
    assertField("argv", "{}");
    assertField("argv", "{\"argv\":[]}");
    assertField("argv", "{\"argv\":\"ls -l\"}");
    assertField("argv[0]", "{\"argv\":[1]}");
    assertField("argv[0]", "{\"argv\":[\"\"]}");
    assertField("argv[1]", "{\"argv\":[\"ls\",null]}");
    assertField("timeout_seconds", "{\"argv\":[\"true\"],\"timeout_seconds\":0}");
    assertField("timeout_seconds", "{\"argv\":[\"true\"],\"timeout_seconds\":3601}");
    assertField("timeout_seconds", "{\"argv\":[\"true\"],\"timeout_seconds\":\"5\"}");
    assertField("timeout", "{\"argv\":[\"true\"],\"timeout\":5}");
    assertField("env", "{\"argv\":[\"true\"],\"env\":[\"A=1\"]}");
    assertField("stdin", "{\"argv\":[\"true\"],\"stdin\":5}");
  }

  private static void assertField(String field, String data) {
    String type = data.contains("\"argv\"") || !data.contains("script") && !data.contains("shell")
        ? "command.exec" : "shell.exec";
    assertThatThrownBy(() -> run(OPS, type, data))
        .as("%s %s", type, data)
        .isInstanceOfSatisfying(InvalidInputException.class,
            e -> assertThat(e.field()).isEqualTo(field))
        .hasMessageContaining(field);
  }

  @Test
  void limitsAreValidated() {
    assertThatThrownBy(() -> HostLimits.defaults().withOutputCap(0))
        .hasMessageContaining("output-cap-bytes");
    assertThatThrownBy(() -> HostLimits.defaults().withAllowedEnv(Set.of("A-B")))
        .hasMessageContaining("allow-env");
    assertThat(HostLimits.defaults().allowedEnv()).isEmpty();
    assertThat(HostLimits.defaults().outputCapBytes()).isEqualTo(64 * 1024);
  }

  static {
    // fail fast with a clear reason where the test cannot mean anything
    if (!java.nio.file.Files.isExecutable(CommandRunner.SETSID)) {
      throw new IllegalStateException("these tests need " + CommandRunner.SETSID);
    }
  }

  @SuppressWarnings("unused")
  private static void unwrap(ExecutionException e) {}
}
