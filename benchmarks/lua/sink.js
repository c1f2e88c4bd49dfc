// A subscriber's receiver that costs next to nothing (Node, not Python: on 2 cores a Python sink
// would take a core from the workers it measures). Answers 204; counts deliveries and distinct
// webhook-ids (a repeat would show as the difference). GET answers the counts as JSON. The order
// per application is proven by tests/events_out, not here (each application moves once).
const http = require("http");
let received = 0;
const ids = new Set();
http.createServer((req, res) => {
  if (req.method === "GET") {
    res.writeHead(200, { "content-type": "application/json" });
    return res.end(JSON.stringify({ received, distinct: ids.size }));
  }
  req.on("data", () => {});
  req.on("end", () => {
    received += 1;
    ids.add(req.headers["webhook-id"] + " " + req.url);
    res.writeHead(204);
    res.end();
  });
}).listen(Number(process.env.PORT), "127.0.0.1");
