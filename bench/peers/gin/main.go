// Command gin-report serves one file's bytes as application/json on every GET path: the
// Gin peer that bench/http.py times beside argus serve's report read.
package main

import (
	"flag"
	"log"
	"net"
	"os"
	"strconv"

	"github.com/gin-gonic/gin"
)

func main() {
	body := flag.String("body", "", "file whose bytes every GET returns")
	port := flag.Int("port", 0, "port to listen on (127.0.0.1)")
	flag.Parse()
	data, err := os.ReadFile(*body)
	if err != nil {
		log.Fatal(err)
	}
	gin.SetMode(gin.ReleaseMode)
	router := gin.New()
	router.GET("/*path", func(c *gin.Context) {
		c.Data(200, "application/json", data)
	})
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(*port))
	log.Fatal(router.Run(addr))
}
