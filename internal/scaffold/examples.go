package scaffold

import (
	"crypto/sha256"
	"encoding/hex"
)

// examplePathsYAML and exampleDefinitionsYAML are the example resource's
// entries, inserted at the top of the api.yml derived from wazo-doctord's
// (SHORT is the service's short name).
const examplePathsYAML = `  /examples:
    get:
      operationId: list_examples
      summary: List the examples
      description: '**Required ACL:** ` + "`SHORT.examples.read`" + `'
      tags:
      - examples
      responses:
        '200':
          description: Every example
          schema:
            $ref: '#/definitions/ExampleList'
        '401':
          $ref: '#/responses/Unauthorized'
        '503':
          $ref: '#/responses/AuthUnreachable'
    post:
      operationId: create_example
      summary: Create an example
      description: '**Required ACL:** ` + "`SHORT.examples.create`" + `'
      tags:
      - examples
      parameters:
      - name: body
        in: body
        required: true
        schema:
          $ref: '#/definitions/ExampleCreate'
      responses:
        '201':
          description: The example created
          schema:
            $ref: '#/definitions/Example'
        '400':
          $ref: '#/responses/InvalidRequest'
        '401':
          $ref: '#/responses/Unauthorized'
        '413':
          $ref: '#/responses/TooLarge'
        '503':
          $ref: '#/responses/AuthUnreachable'
  /examples/{example_uuid}:
    get:
      operationId: get_example
      summary: One example
      description: '**Required ACL:** ` + "`SHORT.examples.read`" + `'
      tags:
      - examples
      parameters:
      - name: example_uuid
        in: path
        required: true
        type: string
      responses:
        '200':
          description: The example
          schema:
            $ref: '#/definitions/Example'
        '401':
          $ref: '#/responses/Unauthorized'
        '404':
          description: No example has this uuid
          schema:
            $ref: '#/definitions/Error'
        '503':
          $ref: '#/responses/AuthUnreachable'
`

const exampleDefinitionsYAML = `  Example:
    type: object
    properties:
      uuid:
        type: string
      name:
        type: string
  ExampleCreate:
    type: object
    required:
    - name
    properties:
      name:
        type: string
        minLength: 1
        maxLength: 128
  ExampleList:
    type: object
    properties:
      items:
        type: array
        items:
          $ref: '#/definitions/Example'
      total:
        type: integer
`

func sha256Hex(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}
