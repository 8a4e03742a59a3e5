<?php
// SPDX-License-Identifier: Apache-2.0
// invqr - a PHP SoapClient that signs its requests as AgID ModI asks
// (ID_AUTH_SOAP_02 + INTEGRITY_SOAP_01) with nothing but what Debian's
// php-cli and php-soap bring: DOM's exclusive C14N and openssl_sign(). No
// xmlseclibs (not packaged by Debian). It adds wsa:To, wsa:MessageID and
// wsa:Action, a wsu:Timestamp, the certificate as a BinarySecurityToken, an
// operator's UsernameToken without password when asked, and one RSA-SHA256
// signature over Body, Timestamp, To, MessageID (and the UsernameToken),
// SHA-256 digests; a PDND voucher goes in "Authorization: Bearer".
//
// php modi_client.php BASE_URL KEY.pem CERT.pem VOUCHER|- OPERATOR|- OP JSON_ARGS
// prints the answer as JSON, or {"fault": ..., "detail": ...}.

const WSU = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
const WSSE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
const WSA = 'http://www.w3.org/2005/08/addressing';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const X509V3 = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3';
const B64 = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary';
const EXC = 'http://www.w3.org/2001/10/xml-exc-c14n#';

class ModiSoapClient extends SoapClient
{
    public $key;
    public $certDer;
    public $to;
    public $operator;
    public $messageId;

    private function el(DOMDocument $doc, string $ns, string $name, ?string $text = null): DOMElement
    {
        $e = $doc->createElementNS($ns, $name);
        if ($text !== null) {
            $e->appendChild($doc->createTextNode($text));
        }
        return $e;
    }

    public function __doRequest($request, $location, $action, $version, $oneWay = false): ?string
    {
        $doc = new DOMDocument();
        $doc->loadXML($request);
        $env = $doc->documentElement;
        $ns = $env->namespaceURI;
        $env->setAttributeNS('http://www.w3.org/2000/xmlns/', 'xmlns:wsu', WSU);
        $body = $doc->getElementsByTagNameNS($ns, 'Body')->item(0);
        $header = $doc->getElementsByTagNameNS($ns, 'Header')->item(0);
        if ($header === null) {
            $header = $doc->createElementNS($ns, $env->prefix . ':Header');
            $env->insertBefore($header, $body);
        }
        $this->messageId = 'urn:uuid:' . bin2hex(random_bytes(16));
        $header->appendChild($this->el($doc, WSA, 'wsa:Action', $action));
        $mid = $header->appendChild($this->el($doc, WSA, 'wsa:MessageID', $this->messageId));
        $to = $header->appendChild($this->el($doc, WSA, 'wsa:To', $this->to));
        $sec = $header->appendChild($this->el($doc, WSSE, 'wsse:Security'));
        $ts = $sec->appendChild($this->el($doc, WSU, 'wsu:Timestamp'));
        $ts->appendChild($this->el($doc, WSU, 'wsu:Created', gmdate('Y-m-d\TH:i:s\Z')));
        $ts->appendChild($this->el($doc, WSU, 'wsu:Expires', gmdate('Y-m-d\TH:i:s\Z', time() + 300)));
        $parts = ['body' => $body, 'ts' => $ts, 'to' => $to, 'mid' => $mid];
        if ($this->operator !== null) {
            $op = $sec->appendChild($this->el($doc, WSSE, 'wsse:UsernameToken'));
            $op->appendChild($this->el($doc, WSSE, 'wsse:Username', $this->operator));
            $parts['op'] = $op;
        }
        $bst = $sec->appendChild($this->el($doc, WSSE, 'wsse:BinarySecurityToken',
                                            base64_encode($this->certDer)));
        $bst->setAttribute('ValueType', X509V3);
        $bst->setAttribute('EncodingType', B64);
        $bst->setAttributeNS(WSU, 'wsu:Id', 'x509');
        foreach ($parts as $id => $node) {
            $node->setAttributeNS(WSU, 'wsu:Id', $id);
        }
        $sig = $sec->appendChild($this->el($doc, DS, 'ds:Signature'));
        $si = $sig->appendChild($this->el($doc, DS, 'ds:SignedInfo'));
        $si->appendChild($this->el($doc, DS, 'ds:CanonicalizationMethod'))->setAttribute('Algorithm', EXC);
        $si->appendChild($this->el($doc, DS, 'ds:SignatureMethod'))
           ->setAttribute('Algorithm', 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
        foreach ($parts as $id => $node) {
            $ref = $si->appendChild($this->el($doc, DS, 'ds:Reference'));
            $ref->setAttribute('URI', '#' . $id);
            $tr = $ref->appendChild($this->el($doc, DS, 'ds:Transforms'));
            $tr->appendChild($this->el($doc, DS, 'ds:Transform'))->setAttribute('Algorithm', EXC);
            $ref->appendChild($this->el($doc, DS, 'ds:DigestMethod'))
                ->setAttribute('Algorithm', 'http://www.w3.org/2001/04/xmlenc#sha256');
            $ref->appendChild($this->el($doc, DS, 'ds:DigestValue',
                                        base64_encode(hash('sha256', $node->C14N(true, false), true))));
        }
        if (!openssl_sign($si->C14N(true, false), $value, $this->key, OPENSSL_ALGO_SHA256)) {
            throw new Exception('openssl_sign failed');
        }
        $sig->appendChild($this->el($doc, DS, 'ds:SignatureValue', base64_encode($value)));
        $ki = $sig->appendChild($this->el($doc, DS, 'ds:KeyInfo'));
        $str = $ki->appendChild($this->el($doc, WSSE, 'wsse:SecurityTokenReference'));
        $r = $str->appendChild($this->el($doc, WSSE, 'wsse:Reference'));
        $r->setAttribute('URI', '#x509');
        $r->setAttribute('ValueType', X509V3);
        return parent::__doRequest($doc->saveXML(), $location, $action, $version, $oneWay);
    }
}

[$base, $keyFile, $certFile, $voucher, $operator, $op, $args] = array_slice($argv, 1);
$options = ['soap_version' => SOAP_1_1, 'exceptions' => true, 'cache_wsdl' => WSDL_CACHE_NONE];
if ($voucher !== '-') {
    $options['stream_context'] = stream_context_create(
        ['http' => ['header' => 'Authorization: Bearer ' . $voucher]]);
}
$c = new ModiSoapClient($base . '/soap?wsdl', $options);
$c->key = openssl_pkey_get_private(file_get_contents($keyFile));
openssl_x509_export(file_get_contents($certFile), $pem);
$c->certDer = base64_decode(preg_replace('/-----[A-Z ]+-----|\s/', '', $pem));
$c->to = $base . '/soap';
$c->operator = $operator === '-' ? null : $operator;
try {
    echo json_encode($c->__soapCall($op, [json_decode($args, true)]));
} catch (SoapFault $f) {
    echo json_encode(['fault' => $f->faultcode, 'detail' => json_encode($f->detail),
                      'string' => $f->faultstring]);
}
