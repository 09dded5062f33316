package io.osapi.adapter.nats;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/** A Jackson generator writing into a byte buffer: how {@link Records} writes every value. */
final class JsonOut implements AutoCloseable {
  final ByteArrayOutputStream buf;
  final JsonGenerator g;

  JsonOut(int size) throws IOException {
    buf = new ByteArrayOutputStream(size);
    g = Records.JSON.createGenerator(buf, JsonEncoding.UTF8);
  }

  byte[] bytes() throws IOException {
    g.flush();
    return buf.toByteArray();
  }

  @Override
  public void close() throws IOException {
    g.close();
  }
}
