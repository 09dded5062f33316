package io.osapi.adapter.nats;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Message;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import io.nats.client.support.NatsJetStreamConstants;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Creates or updates one stream for {@link NatsSession#provision}: the owner of the settings (a
 * controller) creates it and updates what differs; anyone else (a worker) waits until it exists,
 * then leaves it as it is and says what differs.
 */
final class NatsStreams {
  private static final System.Logger LOG = System.getLogger(NatsSession.class.getName());

  private NatsStreams() {}

  /**
   * Creates the stream, or updates it when an updatable setting differs, when {@code owner}; a
   * process that does not own the settings (a worker) leaves an existing stream as it is, and says
   * so when its own settings differ, and fails (to be tried again) while it does not exist.
   *
   * @return the configuration in effect
   * @throws NatsConfigException when the server cannot give the stream its byte limit
   */
  static StreamConfiguration ensure(JetStreamManagement jsm,
      StreamConfiguration want, boolean owner) throws IOException, JetStreamApiException {
    StreamInfo si;
    try {
      si = jsm.getStreamInfo(want.getName());
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() != NatsSession.STREAM_NOT_FOUND) {
        throw e;
      }
      if (!owner) {
        // provisioning is tried again with back-off until a controller has made it
        throw new IOException("stream " + want.getName() + " does not exist yet: the controllers"
            + " create the streams and buckets (they own their settings); waiting for one");
      }
      try {
        jsm.addStream(want);
      } catch (JetStreamApiException refused) {
        throw noRoom(want, refused);
      }
      LOG.log(System.Logger.Level.INFO, "created stream {0}", want.getName());
      return want;
    }
    StreamConfiguration have = si.getConfiguration();
    if (have.getStorageType() != want.getStorageType()) {
      throw new NatsConfigException(
          "stream "
              + want.getName()
              + " exists with "
              + have.getStorageType()
              + " storage but the settings ask for "
              + want.getStorageType()
              + ": NATS cannot change it; delete the stream or change the setting");
    }
    String diff = differences(have, want);
    if (diff.isEmpty()) {
      return have;
    }
    if (!owner) {
      LOG.log(System.Logger.Level.WARNING, "stream {0} has {1}; this process is not the owner of"
          + " those settings (the controllers are): it leaves them as they are and works with"
          + " them", want.getName(), diff);
      return have;
    }
    try {
      jsm.updateStream(want);
    } catch (JetStreamApiException e) {
      if (noRoomCode(e)) {
        throw noRoom(want, e);
      }
      throw new NatsConfigException(
          "stream " + want.getName() + " exists and cannot be updated to the settings: "
              + e.getMessage(),
          e);
    }
    LOG.log(System.Logger.Level.WARNING, "updated stream {0}: it had {1}", want.getName(), diff);
    return want;
  }

  /** What differs between {@code have} and {@code want}, as "max age 1s (asked for 24h), ..." */
  private static String differences(StreamConfiguration have, StreamConfiguration want) {
    List<String> out = new ArrayList<>();
    diff(out, "subjects", have.getSubjects(), want.getSubjects());
    diff(out, "max age", have.getMaxAge(), want.getMaxAge());
    diff(out, "max messages", have.getMaxMsgs(), want.getMaxMsgs());
    diff(out, "max bytes", have.getMaxBytes(), want.getMaxBytes());
    diff(out, "max messages per subject", have.getMaxMsgsPerSubject(),
        want.getMaxMsgsPerSubject());
    diff(out, "replicas", have.getReplicas(), want.getReplicas());
    diff(out, "duplicate window", have.getDuplicateWindow(), want.getDuplicateWindow());
    diff(out, "direct gets", have.getAllowDirect(), want.getAllowDirect());
    diff(out, "discard policy", have.getDiscardPolicy(), want.getDiscardPolicy());
    return String.join(", ", out);
  }

  private static void diff(List<String> out, String name, Object have, Object want) {
    if (!Objects.equals(have, want)) {
      out.add(name + " " + have + " (this process asks for " + want + ")");
    }
  }

  /** Insufficient storage or memory resources: the server cannot reserve a byte limit. */
  private static boolean noRoomCode(JetStreamApiException e) {
    return e.getApiErrorCode() == 10047 || e.getApiErrorCode() == 10028
        || e.getApiErrorCode() == 10023;
  }

  private static RuntimeException noRoom(StreamConfiguration want, JetStreamApiException e) {
    if (!noRoomCode(e)) {
      return new NatsConfigException("stream " + want.getName() + " cannot be created: "
          + e.getMessage(), e);
    }
    return new NatsConfigException("nats-server cannot reserve the " + want.getMaxBytes()
        + " bytes of stream " + want.getName() + " (" + NatsErrors.describe(e) + "): osapi's"
        + " streams take the storage given by --nats-max-bytes (each a share of it), and the"
        + " server has less JetStream storage left (max_file_store or max_memory_store, less what"
        + " other streams reserve): lower --nats-max-bytes or give the server more", e);
  }


  /**
   * Whether the jobs bucket holds keys of the v1 store: one wildcard last-by-subject request on
   * the v1 status keys, made once per provisioning. It goes to the stream's message get API
   * explicitly: jnats would send it as a direct get with the wildcard in the subject, which
   * nats-server 2.9 does not answer when nothing matches.
   */
  static boolean holdsV1Store(Connection conn, JetStreamManagement jsm,
      NatsSettings settings) throws IOException, JetStreamApiException, InterruptedException {
    try {
      jsm.getStreamInfo(NatsLayout.JOBS_KV_STREAM); // no message get on a stream that is not there
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() == NatsSession.STREAM_NOT_FOUND) {
        return false;
      }
      throw e;
    }
    Message resp = conn.request(
        NatsJetStreamConstants.DEFAULT_API_PREFIX + "STREAM.MSG.GET." + NatsLayout.JOBS_KV_STREAM,
        ("{\"last_by_subj\":\"" + NatsLayout.V1_KEYS + "\"}").getBytes(StandardCharsets.UTF_8),
        settings.requestTimeout());
    if (resp == null) {
      throw new IOException("no answer to the look-up of v1 keys");
    }
    try {
      new MessageInfo(resp, NatsLayout.JOBS_KV_STREAM, false).throwOnHasError();
      return true;
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() == NatsSession.NO_MESSAGE_FOUND || e.getApiErrorCode() == NatsSession.STREAM_NOT_FOUND) {
        return false;
      }
      throw e;
    }
  }}
