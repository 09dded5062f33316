package io.osapi.adapter.nats;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Message;
import io.nats.client.impl.NatsMessage;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A shared durable's pull bookkeeping: how much a worker asks for, and when. */
class NatsDurableTest {
  private static final long EXPIRY = TimeUnit.SECONDS.toNanos(2);
  private final NatsDurable d = new NatsDurable("query_any", "jobs.query._any", true, "test",
      Duration.ofSeconds(30), 5);
  private long now = 1_000_000_000L;

  private int request(int free) {
    return d.request(free, now, EXPIRY, new long[] {Long.MAX_VALUE});
  }

  private void deliverAndTake(int n) {
    for (int i = 0; i < n; i++) {
      Message m = NatsMessage.builder().subject("jobs.query._any").data(new byte[] {'{', '}'})
          .build();
      d.arrived(m, now);
      assertThat(d.poll()).isSameAs(m);
    }
  }

  @Test
  void nothingOpenAsksForEveryFreeSlotAtOnce() {
    assertThat(request(8)).isEqualTo(8);
    assertThat(request(8)).as("covered by the open request").isZero();
    NatsDurable lone = new NatsDurable("q", "s", true, "t", Duration.ofSeconds(30), 5);
    assertThat(lone.request(1, now, EXPIRY, new long[] {Long.MAX_VALUE})).isEqualTo(1);
  }

  @Test
  void slotsFreedOneAtATimeAreAskedForOncePerHalfNotOncePerJob() {
    assertThat(request(8)).isEqualTo(8);
    deliverAndTake(1); // a job taken; it ends and frees its slot: 8 free, 7 still owed
    assertThat(request(8)).as("one short: no request of its own").isZero();
    deliverAndTake(2);
    assertThat(request(8)).as("three short").isZero();
    deliverAndTake(1);
    assertThat(request(8)).as("half short: asked for in one request").isEqualTo(4);
    assertThat(request(8)).isZero();
  }

  @Test
  void neverAsksBeyondTheFreeSlotsAndAsksAgainOnceTheRequestsExpire() {
    assertThat(request(4)).isEqualTo(4);
    deliverAndTake(4); // every request answered: nothing owed
    assertThat(request(2)).as("nothing open: the whole shortfall").isEqualTo(2);
    now += EXPIRY; // the open request expired at the server
    assertThat(request(3)).isEqualTo(3);
  }
}
