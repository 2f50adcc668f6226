// The bench's paced producer: Kafka's own Java client, fed pre-encoded events over stdin.
//   java -cp ".local/kafka/libs/*" bench/PacedProducer.java <bootstrap> <topic>
// kafkajs builds and checksums every record batch in JavaScript: at 2,000 events/s it took about
// 0.7 of a core on the two the pipeline runs on, so the latency runs measured the producer's
// contention more than the pipeline. The Java client does the same work for a small part of that.
//
// stdin carries frames: u16 key length, key, u32 value length, value (big-endian). A key length of
// 0xFFFF is a flush mark: every record before it is acknowledged (or failed), then one line
// "flushed <acknowledged> <failed>" (totals so far) goes to stdout. End of input flushes and exits.
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public class PacedProducer {
  private static final int FLUSH_MARK = 0xFFFF;

  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    String topic = args[1];
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    props.put("acks", "1");
    props.put("linger.ms", "1");
    props.put("batch.size", Integer.toString(1 << 20));
    props.put("max.request.size", Integer.toString(8 << 20));
    props.put("key.serializer", ByteArraySerializer.class.getName());
    props.put("value.serializer", ByteArraySerializer.class.getName());
    AtomicLong acknowledged = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props);
        DataInputStream in = new DataInputStream(new BufferedInputStream(System.in, 1 << 20))) {
      for (;;) {
        int keyLength;
        try {
          keyLength = in.readUnsignedShort();
        } catch (EOFException end) {
          break;
        }
        if (keyLength == FLUSH_MARK) {
          producer.flush();
          System.out.println("flushed " + acknowledged.get() + " " + failed.get());
          System.out.flush();
          continue;
        }
        byte[] key = new byte[keyLength];
        in.readFully(key);
        byte[] value = new byte[in.readInt()];
        in.readFully(value);
        producer.send(new ProducerRecord<>(topic, key, value), (metadata, error) -> {
          if (error == null) {
            acknowledged.incrementAndGet();
          } else if (failed.incrementAndGet() == 1) {
            System.err.println("PacedProducer: " + error);
          }
        });
      }
      producer.flush();
      System.out.println("flushed " + acknowledged.get() + " " + failed.get());
    }
  }
}
