package io.osapi.adapter.nats;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.api.StreamConfiguration;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * One owner for the bucket-wide settings, on a real server: a process that is not the owner (a
 * worker) started first creates nothing and is not ready, saying it waits for a controller; once
 * the owner made the streams it becomes ready by itself, adopts the bucket's max age and bytes
 * ({@code retention()}, the create bound) instead of its own, and never writes its own; the owner
 * started again with other values does update them.
 */
class NatsSettingsOwnerIT {
  @Test
  void aWorkerWaitsForTheControllersStreamsAndAdoptsTheirSettings() throws Exception {
    try (NatsServerProcess server = NatsServerProcess.start();
        NatsBackend worker = NatsBackend.connect(NatsTestSupport.settings(server)
            .startupWait(Duration.ofSeconds(1)).owner(false).jobsTtl(Duration.ofSeconds(1))
            .maxBytes(32L << 20).build())) {
      assertThat(worker.isReady()).isFalse();
      assertThat(NatsTestSupport.eventually(Duration.ofSeconds(5), () -> worker.lastError()
          .orElse("").contains("stream JOBS does not exist yet"))).as("%s", worker.lastError())
          .isTrue();
      try (NatsBackend controller = NatsTestSupport.backend(NatsTestSupport.settings(server)
          .jobsTtl(Duration.ofHours(2)).maxBytes(64L << 20).build())) {
        assertThat(worker.awaitReady(Duration.ofSeconds(20))).as("%s", worker.lastError())
            .isTrue();
        StreamConfiguration jobs = controller.requireSession().jsm
            .getStreamInfo(NatsLayout.JOBS_KV_STREAM).getConfiguration();
        assertThat(jobs.getMaxAge()).isEqualTo(Duration.ofHours(2));
        assertThat(jobs.getMaxBytes()).isEqualTo(NatsLimits.share(controller.settings(),
            NatsLimits.JOBS_PERCENT));
        // the worker works with the bucket's settings, not its own
        assertThat(worker.store().retention()).isEqualTo(Duration.ofHours(2));
        assertThat(worker.jobBucket().maxBytes()).isEqualTo(jobs.getMaxBytes());
      }
      // a controller with other values owns them: it updates the bucket
      try (NatsBackend other = NatsTestSupport.backend(NatsTestSupport.settings(server)
          .jobsTtl(Duration.ofHours(3)).maxBytes(64L << 20).build())) {
        assertThat(other.requireSession().jsm.getStreamInfo(NatsLayout.JOBS_KV_STREAM)
            .getConfiguration().getMaxAge()).isEqualTo(Duration.ofHours(3));
        assertThat(other.store().retention()).isEqualTo(Duration.ofHours(3));
      }
    }
  }
}
