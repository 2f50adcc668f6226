// Creates or updates a SCRAM-SHA-512 and SCRAM-SHA-256 credential through the Admin API:
//   java -cp "libs/*" ScramUser.java <bootstrap> <user> < password-file
// Run by ops/local/kafka.sh at every start; an upsert, so running it again changes nothing.
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;

public class ScramUser {
  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    String user = args[1];
    String password = new String(System.in.readAllBytes(), StandardCharsets.UTF_8).trim();
    if (password.isEmpty()) throw new IllegalArgumentException("empty password on stdin");
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      // One mechanism per request: the broker refuses two alterations of one user in a request.
      for (ScramMechanism mechanism : List.of(ScramMechanism.SCRAM_SHA_512, ScramMechanism.SCRAM_SHA_256)) {
        admin.alterUserScramCredentials(List.of(
            new UserScramCredentialUpsertion(user, new ScramCredentialInfo(mechanism, 8192), password))).all().get();
      }
    }
  }
}
