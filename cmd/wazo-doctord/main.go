// Command wazo-doctord audits the Wazo services of its host against the
// "New service guidelines" checklist and serves the results over a Wazo REST API.
package main

func main() {}
