// CurlConnector: the Connector that really goes to the network, through
// libcurl's multi interface. The multi interface (rather than one blocking
// curl_easy_perform) lets this loop wake at least every 100 ms, so that
// stall detection is exact to a tenth of a second (heartbeats count: the
// coarse CURLOPT_LOW_SPEED_* options cannot express "no byte at all"), a
// stop signal ends the transfer promptly, and stdout is flushed exactly when
// the socket has nothing more to give, so an event leaves within
// milliseconds while a backlog still moves in large writes.
//
// Security: HTTP Basic with the key as user name and an empty password,
// sent only to the URL asked for (redirects are not followed, so the key
// cannot be forwarded elsewhere); TLS certificates and host names are
// always verified; only http and https are allowed.
#ifndef CH_FETCH_CURL_CONNECTOR_H_
#define CH_FETCH_CURL_CONNECTOR_H_

#include "ch-fetch/connector.h"

namespace ch {

class CurlConnector : public Connector {
 public:
  // REQUIRES: a CurlGlobal is alive.
  ConnectionResult Connect(const ConnectionRequest& request, StreamSink* sink) override;
};

}  // namespace ch

#endif  // CH_FETCH_CURL_CONNECTOR_H_
