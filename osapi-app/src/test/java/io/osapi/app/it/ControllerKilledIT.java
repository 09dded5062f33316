package io.osapi.app.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The controller SIGKILLed again and again while 16 clients POST jobs to it, and started anew
 * each time (real nats-server, the jar as OS processes). A kill that falls between a job's record
 * and its notification leaves a job stored that no worker heard of; the controllers' submit
 * reconciler notifies it again. In the end no job is left open and none ran twice: every stored
 * job completed exactly once, or failed "not submitted" without running (docs/reliability.md).
 */
class ControllerKilledIT {
  private static final int CLIENTS = 16;
  private static final int KILLS = 5;
  private static final Pattern RESENT =
      Pattern.compile("(\\d+) jobs were still submitted without a run");

  private NatsServer nats;

  @RegisterExtension final ItProcesses its = new ItProcesses();

  private <T extends AutoCloseable> T keep(T c) {
    return its.keep(c);
  }

  @Test
  void aControllerKilledUnderCreateLoadLeavesNoJobOpenAndNoneRunTwice() throws Exception {
    Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "it")),
        "controller-killed-");
    nats = keep(NatsServer.start(dir));
    List<Osapi> workers = List.of(
        keep(Osapi.worker(dir, nats.url(), "ck-w1", "--concurrency", "4")),
        keep(Osapi.worker(dir, nats.url(), "ck-w2", "--concurrency", "4")));
    List<Osapi> controllers = new ArrayList<>();
    Osapi first = keep(Osapi.controller(dir, nats.url()));
    controllers.add(first);
    first.awaitReady();
    for (Osapi w : workers) {
      w.awaitReady();
    }

    AtomicBoolean running = new AtomicBoolean(true);
    Set<String> accepted = ConcurrentHashMap.newKeySet();
    AtomicInteger unanswered = new AtomicInteger();
    Osapi[] current = {first};
    List<Thread> clients = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      Thread t = new Thread(() -> {
        int n = 0;
        while (running.get()) {
          Osapi c = current[0];
          HttpResponse<String> r = c.post("diag.echo", "{\"n\":" + n++ + "}");
          if (r != null && r.statusCode() == 201) {
            accepted.add(Http.json(r).get("job_id").asText());
          } else {
            unanswered.incrementAndGet(); // killed mid-request, or not started yet
            OsProcess.sleep(50);
          }
        }
      }, "client-" + i);
      t.setDaemon(true);
      t.start();
      clients.add(t);
    }
    for (int k = 0; k < KILLS; k++) {
      int before = accepted.size();
      current[0].await("jobs accepted", Duration.ofSeconds(30),
          () -> accepted.size() >= before + 150);
      current[0].kill();
      Osapi next = keep(Osapi.controller(dir, nats.url()));
      controllers.add(next);
      current[0] = next;
      next.awaitReady();
    }
    Osapi last = current[0];
    last.await("jobs accepted by the last one", Duration.ofSeconds(30),
        () -> accepted.size() >= 150 * (KILLS + 1));
    running.set(false);
    for (Thread t : clients) {
      t.join(Duration.ofSeconds(40).toMillis());
    }

    // every stored job ends: a job never notified is sent again 30 s after its creation
    last.await("no job left submitted or processing", Duration.ofSeconds(90), () -> {
      JsonNode s = stats(last);
      return s.at("/by_status/submitted").asLong() == 0
          && s.at("/by_status/processing").asLong() == 0;
    });
    JsonNode stats = stats(last);
    long total = stats.get("total").asLong();
    long completed = stats.at("/by_status/completed").asLong();
    long failed = stats.at("/by_status/failed").asLong();
    // a failed job may only be one whose notification was never confirmed, and it never ran
    for (JsonNode item : Http.json(Http.get(last.api("/jobs?status=failed&limit=100")))
        .path("items")) {
      JsonNode d = last.job(item.get("job_id").asText());
      assertThat(d.path("error").asText()).as(d.toString()).startsWith("not submitted");
    }
    double runs = 0;
    for (Osapi w : workers) {
      runs += w.metric("osapi_jobs_completed_total", "operation=\"diag.echo\"");
    }
    int resent = 0;
    for (Osapi c : controllers) {
      Matcher m = RESENT.matcher(c.process().stdout() + c.process().stderr());
      while (m.find()) {
        resent += Integer.parseInt(m.group(1));
      }
    }
    long acceptedStored = accepted.stream().filter(id -> last.job(id) != null).count();
    System.out.println("CONTROLLER_KILLED kills = " + KILLS);
    System.out.println("CONTROLLER_KILLED accepted = " + accepted.size());
    System.out.println("CONTROLLER_KILLED unanswered_posts = " + unanswered.get());
    System.out.println("CONTROLLER_KILLED stored = " + total);
    System.out.println("CONTROLLER_KILLED completed = " + completed);
    System.out.println("CONTROLLER_KILLED failed_not_submitted = " + failed);
    System.out.println("CONTROLLER_KILLED worker_runs = " + (long) runs);
    System.out.println("CONTROLLER_KILLED notifications_sent_again = " + resent);
    assertThat(acceptedStored).as("every accepted job is stored").isEqualTo(accepted.size());
    assertThat(completed + failed).as("every stored job ended").isEqualTo(total);
    assertThat((long) runs).as("runs on the workers: each completed job ran once").isEqualTo(
        completed);
    assertThat(total).as("stored: the accepted ones and those whose POST got no answer")
        .isBetween((long) accepted.size(), (long) accepted.size() + unanswered.get());
  }

  private static JsonNode stats(Osapi c) {
    HttpResponse<String> r = Http.get(c.api("/jobs/stats"));
    assertThat(Http.status(r)).as("GET /jobs/stats").isEqualTo(200);
    return Http.json(r);
  }
}
