package io.osapi.core.domain;

import java.util.EnumMap;
import java.util.Map;

/**
 * Job counts by status.
 *
 * @param total all stored jobs
 * @param byStatus count for every status, zero included
 */
public record JobStats(long total, Map<JobStatus, Long> byStatus) {
  /** Fills in zero for every missing status. */
  public JobStats {
    EnumMap<JobStatus, Long> m = new EnumMap<>(JobStatus.class);
    for (JobStatus s : JobStatus.values()) {
      m.put(s, byStatus.getOrDefault(s, 0L));
    }
    byStatus = Map.copyOf(m);
  }
}
