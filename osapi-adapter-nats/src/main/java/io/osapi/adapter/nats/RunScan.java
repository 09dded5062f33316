package io.osapi.adapter.nats;

import io.nats.client.JetStreamApiException;
import io.osapi.core.domain.JobRecord;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunKey;
import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The runs of a job read in one pass over its run keys ({@link NatsLayout#runsOfJob}, last value
 * per key): for a broadcast to a large fleet, where reading each expected worker's key would take
 * one round trip per worker, most of them for runs that do not exist yet.
 */
final class RunScan {
  private RunScan() {}

  /** The runs of {@code record}'s expected workers that exist, by key; others are ignored. */
  static Map<RunKey, Run> existing(NatsSession s, JobRecord record) {
    Set<RunKey> wanted = new HashSet<>(record.runKeys());
    Map<RunKey, Run> found = new HashMap<>();
    try {
      s.scan(NatsLayout.JOBS_KV_STREAM, NatsLayout.runsOfJob(record.job().id()), false, m -> {
        RunKey k = NatsLayout.runOfSubject(m.getSubject());
        if (k != null && wanted.contains(k)) {
          found.put(k, Records.run("run " + NatsLayout.runKey(k), m.getData()));
        }
      });
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw NatsErrors.unavailable("reading the runs of job " + record.job().id(), e);
    } catch (IOException | JetStreamApiException e) {
      throw NatsErrors.unavailable("reading the runs of job " + record.job().id(), e);
    }
    return found;
  }
}
