package io.osapi.app.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * command.exec and file.deploy through real controller and worker processes on a real
 * nats-server: exit code, stdin, the env allow-list and a timeout that ends a process tree on a
 * worker that enables host operations, and a worker that does not refusing them; a worker killed
 * with SIGKILL leaves no process of its command behind (docs/operations.md, host operations).
 */
class HostOperationsIT {
  private static final Duration T = Duration.ofSeconds(60);

  @RegisterExtension final ItProcesses its = new ItProcesses();

  private static String q(String s) {
    return JsonNodeFactory.instance.textNode(s).toString();
  }

  private static String created(Osapi controller, String type, String data, String target) {
    String body = "{\"operation\":{\"type\":\"" + type + "\",\"data\":" + data + "},"
        + "\"target\":\"" + target + "\"}";
    HttpResponse<String> r = Http.send("POST", controller.api("/jobs"), body);
    assertThat(r).isNotNull();
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return Http.json(r).get("job_id").asText();
  }

  private static JsonNode ended(Osapi controller, String id) {
    controller.awaitEnded(List.of(id), T);
    return controller.job(id);
  }

  private static List<Long> pids(Path file) throws IOException {
    List<Long> out = new ArrayList<>();
    if (Files.exists(file)) {
      for (String l : Files.readAllLines(file)) {
        if (!l.isBlank()) {
          out.add(Long.parseLong(l.strip()));
        }
      }
    }
    return out;
  }

  /** A job signing key pair in {@code dir}: the private key file, then the public one. */
  private static String[] signingKeys(Path dir) {
    Path key = dir.toAbsolutePath().resolve("job-signing.key");
    io.osapi.app.config.JobKeyFiles.create("--out", key);
    return new String[] {key.toString(),
        io.osapi.app.config.JobKeyFiles.publicFile(key).toString()};
  }

  private static boolean alive(long pid) {
    try {
      String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      char state = s.substring(s.lastIndexOf(')') + 2).charAt(0);
      return state != 'Z' && state != 'X';
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void aWorkerThatEnablesThemRunsCommandsAndDeploysAndOneThatDoesNotRefuses() throws Exception {
    Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "it")),
        "hostops-");
    Path work = Files.createDirectories(dir.resolve("work")).toAbsolutePath();
    NatsServer nats = its.keep(NatsServer.start(dir));
    String[] keys = signingKeys(dir);
    Osapi controller = its.keep(Osapi.controller(dir, nats.url(), "--job-signing-key-file",
        keys[0]));
    Osapi on = its.keep(Osapi.worker(dir, nats.url(), "ho-on", "--allow-operations",
        "system.*,diag.*,command.exec,shell.exec,file.*", "--job-verify-key-file", keys[1],
        "--allow-env", "GREETING", "--output-cap-bytes", "4096"));
    // verifies signatures, but its allow-list (the default) names no privileged operation
    Osapi off = its.keep(Osapi.worker(dir, nats.url(), "ho-off", "--job-verify-key-file",
        keys[1]));
    controller.awaitReady();
    on.awaitReady();
    off.awaitReady();

    // exit code, stdin, an allowed variable, the output cap: a non-zero exit fails, keeps the result
    JsonNode j = ended(controller, created(controller, "command.exec",
        "{\"argv\":[\"sh\",\"-c\"," + q("cat; echo $GREETING; head -c 10000 /dev/zero; exit 3")
            + "],\"stdin\":\"in\\n\",\"env\":{\"GREETING\":\"hi\"}}", "ho-on"));
    assertThat(j.path("status").asText()).isEqualTo("failed");
    assertThat(j.path("error").asText()).isEqualTo("the command exited with code 3");
    JsonNode r = j.path("results").get(0).path("data");
    assertThat(r.path("exit_code").asInt()).isEqualTo(3);
    assertThat(r.path("stdout").asText()).startsWith("in\nhi\n").hasSize(4096);
    assertThat(r.path("stdout_truncated").asBoolean()).isTrue();
    assertThat(j.path("results")).hasSize(1); // failed once, not retried

    // a variable the worker does not allow fails the run before anything starts
    JsonNode bad = ended(controller, created(controller, "command.exec",
        "{\"argv\":[\"true\"],\"env\":{\"LD_PRELOAD\":\"/x.so\"}}", "ho-on"));
    assertThat(bad.path("status").asText()).isEqualTo("failed");
    assertThat(bad.path("error").asText()).contains("LD_PRELOAD is not allowed on this worker");

    // a timeout ends the whole process tree
    Path tree = work.resolve("tree.pids");
    String script = "sleep 300 & echo $! >> " + tree + "; sleep 300 & echo $! >> " + tree
        + "; echo $$ >> " + tree + "; wait";
    String slow = created(controller, "command.exec",
        "{\"argv\":[\"sh\",\"-c\"," + q(script) + "],\"timeout_seconds\":3}", "ho-on");
    controller.await("the tree to start", T, () -> {
      try {
        return pids(tree).size() == 3 && pids(tree).stream().allMatch(HostOperationsIT::alive);
      } catch (IOException e) {
        return false;
      }
    });
    JsonNode timedOut = ended(controller, slow);
    assertThat(timedOut.path("status").asText()).isEqualTo("failed");
    assertThat(timedOut.path("results").get(0).path("data").path("timed_out").asBoolean())
        .isTrue();
    assertThat(pids(tree)).hasSize(3).noneMatch(HostOperationsIT::alive);

    // file.deploy twice: changed, then not
    Path conf = work.resolve("app.conf");
    String deploy = "{\"path\":" + q(conf.toString()) + ",\"content\":\"port=80\\n\","
        + "\"mode\":\"0600\"}";
    JsonNode d1 = ended(controller, created(controller, "file.deploy", deploy, "ho-on"));
    assertThat(d1.path("status").asText()).as(d1.toString()).isEqualTo("completed");
    assertThat(d1.path("result").path("changed").asBoolean()).isTrue();
    assertThat(Files.readString(conf)).isEqualTo("port=80\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(conf)))
        .isEqualTo("rw-------");
    JsonNode d2 = ended(controller, created(controller, "file.deploy", deploy, "ho-on"));
    assertThat(d2.path("result").path("changed").asBoolean()).isFalse();
    assertThat(d2.path("result").path("previous_sha256").asText())
        .isEqualTo(d1.path("result").path("sha256").asText());

    // a worker whose allow-list does not name them: the controller knows it from the heartbeat
    // and refuses the create (400); workers refusing a job that reaches them anyway (published
    // straight to NATS) is WorkerPolicyIT's and NatsPrivilegedJobsIT's
    Path planted = work.resolve("planted");
    for (String[] op : new String[][] {
        {"command.exec", "{\"argv\":[\"touch\"," + q(planted.toString()) + "]}"},
        {"file.deploy", "{\"path\":" + q(planted.toString()) + ",\"content\":\"x\"}"}}) {
      HttpResponse<String> no = Http.send("POST", controller.api("/jobs"), "{\"operation\":"
          + "{\"type\":\"" + op[0] + "\",\"data\":" + op[1] + "},\"target\":\"ho-off\"}");
      assertThat(no.statusCode()).as(no.body()).isEqualTo(400);
      assertThat(no.body()).contains("does not allow it");
    }
    assertThat(Files.exists(planted, LinkOption.NOFOLLOW_LINKS)).isFalse();
  }

  @Test
  void aWorkerKilledWithSigkillLeavesNoProcessOfItsCommandBehind() throws Exception {
    Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "it")),
        "hostops-kill-");
    Path tree = dir.toAbsolutePath().resolve("tree.pids");
    NatsServer nats = its.keep(NatsServer.start(dir));
    String[] keys = signingKeys(dir);
    Osapi controller = its.keep(Osapi.controller(dir, nats.url(), "--job-signing-key-file",
        keys[0]));
    Osapi worker = its.keep(Osapi.worker(dir, nats.url(), "ho-doomed", "--allow-operations",
        "command.exec", "--job-verify-key-file", keys[1]));
    controller.awaitReady();
    worker.awaitReady();
    String script = "sleep 300 & echo $! >> " + tree + "; sleep 300 & echo $! >> " + tree
        + "; echo $$ >> " + tree + "; wait";
    created(controller, "command.exec", "{\"argv\":[\"sh\",\"-c\"," + q(script) + "]}",
        "ho-doomed");
    // the positive control: the tree runs under the worker
    controller.await("the tree to start", T, () -> {
      try {
        return pids(tree).size() == 3 && pids(tree).stream().allMatch(HostOperationsIT::alive);
      } catch (IOException e) {
        return false;
      }
    });
    worker.kill(); // SIGKILL: the worker ends nothing itself; its lifeline sees the pipe close
    controller.await("no process of the tree to be left", Duration.ofSeconds(20), () -> {
      try {
        return pids(tree).stream().noneMatch(HostOperationsIT::alive);
      } catch (IOException e) {
        return false;
      }
    });
    assertThat(pids(tree)).hasSize(3).noneMatch(HostOperationsIT::alive);
  }
}
