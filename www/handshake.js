/* SPDX-License-Identifier: Apache-2.0 */
/* handshake.js: fills tlsd's page with the visitor's own handshake, read
 * from /.well-known/tlsd/handshake (the record of the connection that asks).
 *
 * Every value in that record came from the client or from the wire (the SNI,
 * the ALPN list, ...), so it only ever reaches the page through textContent
 * and createElement, never as markup. Without this script, or when the fetch
 * fails, the page keeps its general explanation. */
(function () {
  'use strict';

  document.documentElement.dataset.secureContext = String(window.isSecureContext);

  var ENDPOINT = '/.well-known/tlsd/handshake';
  var TO_SERVER = 'browser \u2192 server';
  var TO_BROWSER = 'server \u2192 browser';

  /* stage name in tlsd's log -> message name, direction */
  var STAGES = {
    client_hello: ['ClientHello', TO_SERVER],
    hello_retry_request: ['HelloRetryRequest', TO_BROWSER],
    server_hello: ['ServerHello', TO_BROWSER],
    encrypted_extensions: ['EncryptedExtensions', TO_BROWSER],
    certificate: ['Certificate', TO_BROWSER],
    server_key_exchange: ['ServerKeyExchange', TO_BROWSER],
    server_hello_done: ['ServerHelloDone', TO_BROWSER],
    certificate_verify: ['CertificateVerify', TO_BROWSER],
    client_key_exchange: ['ClientKeyExchange', TO_SERVER],
    change_cipher_spec_client: ['ChangeCipherSpec', TO_SERVER],
    finished_client: ['Finished', TO_SERVER],
    new_session_ticket: ['NewSessionTicket', TO_BROWSER],
    change_cipher_spec_server: ['ChangeCipherSpec', TO_BROWSER],
    finished_server: ['Finished', TO_BROWSER],
    established: ['handshake complete', '']
  };

  /* ---------------------------------------------------------- helpers */

  function $(id) { return document.getElementById(id); }

  function str(value) {
    if (typeof value === 'string' && value !== '') return value;
    if (typeof value === 'number' && isFinite(value)) return String(value);
    return null;
  }

  function num(value) {
    return typeof value === 'number' && isFinite(value) ? value : null;
  }

  function strings(value) {
    if (!Array.isArray(value)) return [];
    var out = [];
    for (var i = 0; i < value.length; i++) {
      var s = str(value[i]);
      if (s !== null) out.push(s);
    }
    return out;
  }

  /* a 32-byte value as lower-case hex, as the record has it, or null */
  function hex(value) {
    return typeof value === 'string' && /^[0-9a-f]{64}$/.test(value) ? value : null;
  }

  function object(value) {
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {};
  }

  function ms(value) {
    var digits = value < 1 ? 3 : value < 100 ? 2 : 1;
    return value.toFixed(digits) + '\u00a0ms';
  }

  function versionName(version) {
    var m = /^TLS(1\.[0-3])$/.exec(version || '');
    return m ? 'TLS ' + m[1] : version;
  }

  function plural(n, one, many) {
    return n + ' ' + (n === 1 ? one : many);
  }

  /* node(tag, className, children...): children are strings (text) or nodes */
  function node(tag, className) {
    var element = document.createElement(tag);
    if (className) element.className = className;
    for (var i = 2; i < arguments.length; i++) append(element, arguments[i]);
    return element;
  }

  function append(parent, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) {
      for (var i = 0; i < child.length; i++) append(parent, child[i]);
    } else if (typeof child === 'string') {
      parent.appendChild(document.createTextNode(child));
    } else {
      parent.appendChild(child);
    }
  }

  /* short values (TLS 1.3, EC-256, x25519) never break inside */
  function code(text, chosen) {
    return node('code', (chosen ? 'chosen' : '') + (text.length <= 24 ? ' nw' : ''), text);
  }

  /* "a, b and c" as code elements */
  function codes(list, chosen) {
    var out = [];
    for (var i = 0; i < list.length; i++) {
      if (i > 0) out.push(i === list.length - 1 ? ' and ' : ', ');
      out.push(code(list[i], chosen !== undefined && list[i] === chosen));
    }
    return out;
  }

  function connectionNumber(text) {
    var element = node('span', '', text);
    element.id = 'negotiated-connection';
    return element;
  }

  /* a value from the record, or (note) a sentence saying why there is none */
  function setText(id, text, note) {
    var element = $(id);
    if (!element || text === null) return element;
    element.textContent = text;
    element.classList.add('live');
    if (note) element.classList.add('note');
    return element;
  }

  function aside(afterElement, parts) {
    if (!afterElement) return;
    afterElement.parentNode.appendChild(node('span', 'aside', ' ', parts));
  }

  /* the box "in your handshake" at the end of a step */
  function yours(containerId, label, when) {
    var container = $(containerId);
    if (!container) return null;
    var box = node('div', 'yours');
    if (when !== null && when !== undefined) box.appendChild(node('span', 'when', when));
    box.appendChild(node('span', 'label', label));
    container.appendChild(box);
    return box;
  }

  function notInYours(containerId, parts) {
    var container = $(containerId);
    if (!container) return;
    container.classList.add('absent');
    var box = yours(containerId, 'Not in your handshake', null);
    box.appendChild(node('p', '', parts));
  }

  /* "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" -> words */
  function describeSuite(suite) {
    function cipher(name) {
      return name.replace('CHACHA20_POLY1305', 'ChaCha20-Poly1305').replace(/_/g, '-');
    }
    function hash(name) { return name.replace(/^SHA/, 'SHA-'); }
    var m = /^TLS_([A-Z0-9]+)_([A-Z0-9]+)_WITH_([A-Z0-9_]+)_(SHA[0-9]+)$/.exec(suite);
    if (m) {
      return m[1] + ' key exchange, an ' + m[2] + ' certificate, ' + cipher(m[3]) +
        ' encryption and ' + hash(m[4]) + ' for deriving keys';
    }
    m = /^TLS_([A-Z0-9_]+)_(SHA[0-9]+)$/.exec(suite);
    if (m) return cipher(m[1]) + ' encryption and ' + hash(m[2]) + ' for deriving keys';
    return null;
  }

  /* ---------------------------------------------------------- the record */

  function fill(record) {
    var version = str(record.version);
    var tls13 = version === 'TLS1.3';
    var tls12 = version === 'TLS1.2';
    var suite = str(record.suite);
    var group = str(record.group);
    var signature = str(record.signature_algorithm);
    var alpn = str(record.alpn);
    var resumed = record.resumed === true;
    var total = num(record.handshake_ms);
    var hello = object(record.client_hello);
    /* signalling values such as TLS_EMPTY_RENEGOTIATION_INFO_SCSV are not suites */
    var suites = strings(hello.cipher_suites).filter(function (s) { return !/_SCSV$/.test(s); });
    var groups = strings(hello.groups);
    var shares = strings(hello.key_shares);
    var sigalgs = strings(hello.signature_algorithms);
    var alpns = strings(hello.alpn);
    var extensions = strings(hello.extensions);
    var offeredVersions = strings(hello.offered_versions);
    var resumption = strings(hello.resumption_offered).filter(function (s) { return s !== 'none'; });
    var sni = str(hello.sni);

    var stages = [];
    (Array.isArray(record.stages) ? record.stages : []).forEach(function (s) {
      s = object(s);
      var name = str(s.stage);
      if (name !== null) stages.push({ stage: name, t: num(s.t_ms) });
    });
    function at(name) {
      for (var i = 0; i < stages.length; i++) {
        if (stages[i].stage === name) return stages[i].t;
      }
      return undefined;
    }
    function has(name) { return at(name) !== undefined; }
    var messages = (Array.isArray(record.messages) ? record.messages : []).map(object);
    /* the ladder's flight of a stage's (first) message */
    function flightOf(name) {
      for (var i = 0; i < messages.length; i++) {
        if (messages[i].stage === name && num(messages[i].flight) !== null) return messages[i].flight;
      }
      return null;
    }
    function when(name) {
      var t = at(name);
      if (t === undefined || t === null) return null;
      var flight = flightOf(name);
      return 'at ' + ms(t) + (flight !== null ? ' \u00b7 flight ' + flight : '');
    }
    var roundTrips = num(record.round_trips);
    var retried = has('hello_retry_request');
    var certificates = (Array.isArray(record.certificates) ? record.certificates : []).filter(function (c) {
      return c !== null && typeof c === 'object' && !Array.isArray(c);
    });
    var certificateSent = has('certificate') || (!resumed && certificates.length > 0 && stages.length === 0);

    /* ---- the summary table */
    var versionElement = setText('negotiated-version', versionName(version));
    if (versionElement && version) versionElement.dataset.value = version;
    if (offeredVersions.length) aside(versionElement, ['(your browser offered ', codes(offeredVersions.map(versionName)), ')']);

    var suiteElement = setText('negotiated-suite', suite);
    if (suite && suites.length) aside(suiteElement, '(one of the ' + suites.length + ' your browser offered)');

    if (group) {
      aside(setText('negotiated-group', group), tls13 ? '(ECDHE, key shares in the hellos' + (retried ? ', after a HelloRetryRequest)' : ')') : '(ECDHE)');
    } else if (resumed && tls12) {
      setText('negotiated-group', 'none: a resumed session reuses the keys of an earlier handshake', true);
    }
    if (signature) {
      aside(setText('negotiated-signature', signature), tls13 ? '(in CertificateVerify)' : '(over the ServerKeyExchange)');
    } else if (resumed) {
      setText('negotiated-signature', 'none: a resumed session is not signed again', true);
    }
    if (sni) {
      setText('negotiated-sni', sni);
    } else if (record.client_hello) {
      setText('negotiated-sni', 'none: your browser sent no server name (as for an IP address)', true);
    }
    if (alpn) {
      aside(setText('negotiated-alpn', alpn), alpns.length ? ['(your browser offered ', codes(alpns, alpn), ')'] : null);
    } else if (record.client_hello) {
      setText('negotiated-alpn', 'none agreed', true);
    }
    if (typeof record.resumed === 'boolean') {
      var session = resumed ? 'resumed: the keys of an earlier session, no certificate' : 'a full handshake';
      if (total !== null) session += ', in ' + ms(total);
      setText('negotiated-session', session);
    }

    /* ---- the status line */
    var status = $('handshake-status');
    if (status) {
      status.textContent = '';
      status.className = 'ok';
      var connection = str(record.connection);
      var peer = str(record.peer);
      append(status, [
        'These are the values tlsd recorded for ',
        connection ? ['connection ', connectionNumber(connection), peer ? [' (from ', code(peer), ')'] : null] : 'the connection',
        ', the one your browser used to ask for them. The commands under ',
        (function () { var a = node('a', '', 'See it yourself'); a.href = '#see-it'; return a; })(),
        ' show the same from the command line.'
      ]);
    }

    /* ---- the timeline */
    var timeline = $('timeline');
    if (timeline && stages.length) {
      var end = total;
      stages.forEach(function (s) { if (s.t !== null && (end === null || s.t > end)) end = s.t; });
      stages.forEach(function (s) {
        var known = Object.prototype.hasOwnProperty.call(STAGES, s.stage) ? STAGES[s.stage] : [s.stage, ''];
        var item = node('li', known[1] === TO_SERVER ? 'from-client' : 'from-server',
          node('span', 'stage', code(s.stage), node('span', 'dir', known[0] + (known[1] === TO_SERVER ? ' \u00b7 from your browser' : known[1] ? ' \u00b7 from tlsd' : ''))),
          node('span', 't', s.t === null ? '' : ms(s.t)));
        var bar = node('span', 'bar');
        if (s.t !== null && end) bar.style.setProperty('--at', Math.min(1, s.t / end).toFixed(4));
        item.appendChild(node('span', 'track', bar));
        timeline.appendChild(item);
      });
      $('timeline-box').hidden = false;
    }

    /* ---- step 1: ClientHello */
    var box = yours('step-client-hello', 'Your ClientHello', when('client_hello'));
    if (box && record.client_hello) {
      var asked = [];
      if (sni) asked.push(['the server name ', code(sni), ' (SNI)']);
      if (alpns.length) asked.push(['the application protocols ', codes(alpns), ' (ALPN)']);
      if (offeredVersions.length) {
        box.appendChild(node('p', '', 'Your browser offered ', codes(offeredVersions.map(versionName)),
          ', ' + plural(suites.length, 'cipher suite', 'cipher suites') + ', ' + plural(groups.length, 'group', 'groups') +
          ' and ' + plural(sigalgs.length, 'signature algorithm', 'signature algorithms') + '.'));
      }
      if (shares.length) {
        box.appendChild(node('p', '', 'It sent a key share in advance, for TLS 1.3, on ', codes(shares), '.'));
      }
      if (asked.length) box.appendChild(node('p', '', 'It asked for ', asked[0], asked.length > 1 ? [' and offered ', asked[1]] : null, '.'));
      box.appendChild(node('p', '', resumption.length
        ? ['It offered to resume an earlier session (', codes(resumption), ').']
        : 'It did not try to resume an earlier session.'));
      if (retried) {
        box.appendChild(node('p', '', 'tlsd answered it with a HelloRetryRequest, so your browser sent a second ClientHello.'));
      }
      var ja3 = str(hello.ja3);
      var ja4 = str(hello.ja4);
      if (ja3 || ja4) {
        box.appendChild(node('p', '', 'Its fingerprints: ',
          ja3 ? ['JA3 ', code(ja3)] : null, ja3 && ja4 ? ', ' : null, ja4 ? ['JA4 ', code(ja4)] : null,
          '. JA4 sorts the lists it hashes, so it stays the same across this browser\u2019s connections; ' +
          'JA3 keeps the order of the extensions, which some browsers, Chromium among them, shuffle on every connection.'));
      }
      var clientRandom = hex(record.client_random);
      if (clientRandom) {
        box.appendChild(node('p', '', 'As Wireshark shows it, under Handshake Protocol: Client Hello: ',
          node('code', 'hex', 'Random: ' + clientRandom)));
      }
      var details = node('details', '', node('summary', '', 'Everything it offered, in its order'));
      [['Cipher suites', suites, suite], ['Groups', groups, group], ['Key shares', shares, group],
        ['Signature algorithms', sigalgs, signature], ['ALPN', alpns, alpn], ['Extensions', extensions, undefined]]
        .forEach(function (row) {
          if (!row[1].length) return;
          details.appendChild(node('p', 'list', node('strong', '', row[0] + ': '), codes(row[1], row[2])));
        });
      details.appendChild(node('p', 'dir', 'Outlined: what tlsd chose. GREASE values are left out.'));
      if (details.children.length > 2) box.appendChild(details);
    } else if (box) {
      box.appendChild(node('p', '', 'tlsd kept no details of it for this connection.'));
    }

    /* ---- step 2: ServerHello */
    box = yours('step-server-hello', 'tlsd\u2019s ServerHello', when('server_hello'));
    if (box) {
      if (suite) {
        box.appendChild(node('p', '',
          suites.length || groups.length
            ? 'Your browser offered ' + plural(suites.length, 'cipher suite', 'cipher suites') + ' and ' +
              plural(groups.length, 'group', 'groups') + '; tlsd chose '
            : 'tlsd chose ',
          code(suite), group ? [' with ', code(group)] : null, version ? ', in ' + versionName(version) : null, '.'));
        var words = describeSuite(suite);
        if (words) {
          box.appendChild(node('p', '', 'That suite reads as ' + words +
            (tls13 ? '; in TLS 1.3 the key exchange and the signature are negotiated on their own.' : '.')));
        }
        var mbedtls = str(record.suite_mbedtls);
        if (mbedtls && mbedtls !== suite) box.appendChild(node('p', 'dir', 'Mbed TLS, on which tlsd is built, calls it ', code(mbedtls), '.'));
      }
      if (retried) {
        box.appendChild(node('p', '', 'Before it, tlsd sent a HelloRetryRequest (' + (when('hello_retry_request') || '') +
          ') asking for a key share on ', group ? code(group) : 'another group', ', which the first ClientHello lacked: one more round trip.'));
      }
      if (alpn) {
        box.appendChild(node('p', '', 'Application protocol: ', code(alpn),
          tls13 ? ', told in EncryptedExtensions' + (has('encrypted_extensions') ? ' (' + when('encrypted_extensions') + ')' : '') + '.' : '.'));
      }
      if (resumed) {
        box.appendChild(node('p', '', 'tlsd accepted your browser\u2019s offer to resume an earlier session: it skips the certificate and the new signature.'));
      }
      var serverRandom = hex(record.server_random);
      var sessionId = typeof record.session_id === 'string' && /^([0-9a-f]{2})*$/.test(record.session_id) ? record.session_id : null;
      if (serverRandom) {
        box.appendChild(node('p', '', 'As Wireshark shows it, under Handshake Protocol: Server Hello: ',
          node('code', 'hex', 'Random: ' + serverRandom), ', ',
          node('code', 'nw', 'Session ID Length: ' + (sessionId === null ? '?' : sessionId.length / 2)),
          sessionId ? [', ', node('code', 'hex', 'Session ID: ' + sessionId)] : null,
          tls13 ? ' (in TLS 1.3 only an echo of the browser\u2019s, kept for middleboxes)' : null, '.'));
      }
      var postQuantum = groups.concat(shares).filter(function (g, i, all) {
        return /MLKEM|Kyber/i.test(g) && all.indexOf(g) === i && g !== group;
      });
      if (postQuantum.length) {
        box.appendChild(node('p', 'note', 'Your browser also offered the post-quantum hybrid ',
          postQuantum.length === 1 ? 'group ' : 'groups ', codes(postQuantum), ', which tlsd did not pick: ',
          'the Mbed TLS it is built on has no ML-KEM, so tlsd chose ', group ? code(group) : 'a classical group',
          '. A recording of this connection is therefore not protected against a future quantum computer.'));
      }
    }

    /* ---- step 3: Certificate */
    if (certificateSent) {
      box = yours('step-certificate', 'The chain tlsd sent you', when('certificate'));
      if (box) {
        if (certificates.length) {
          box.appendChild(node('p', '', 'tlsd sent ' + plural(certificates.length, 'certificate', 'certificates') +
            (tls13 ? ', encrypted (in TLS 1.2 an onlooker would see them):' : ', in the clear, as TLS 1.2 does:')));
          var list = node('ul');
          certificates.forEach(function (c, i) {
            var subject = str(c.subject);
            var issuer = str(c.issuer);
            var key = str(c.key);
            var notAfter = str(c.not_after);
            var role = i === 0 ? 'leaf' : subject && subject === issuer ? 'root' : 'intermediate';
            list.appendChild(node('li', '', node('strong', '', role + ': '), subject ? code(subject) : 'subject unknown',
              issuer ? [', issued by ', code(issuer)] : null,
              key ? ['; key ', code(key)] : null,
              notAfter ? ['; valid until ', code(notAfter)] : null));
          });
          box.appendChild(list);
        }
        if (signature && tls13) {
          box.appendChild(node('p', '', 'Then CertificateVerify (' + (when('certificate_verify') || '') + '): tlsd signed the handshake so far with the leaf\u2019s key, ',
            code(signature), '.'));
        }
      }
    } else if (resumed) {
      notInYours('step-certificate', 'your browser resumed an earlier session, whose chain it had checked then; tlsd did not send it again.');
    }

    /* ---- steps 4 and 5: the key exchange of TLS 1.2 */
    if (tls13) {
      notInYours('step-server-key-exchange', ['TLS 1.3 put the key share in the hellos: tlsd\u2019s share',
        group ? [' on ', code(group)] : null, ' was in its ServerHello, and the signature moved to CertificateVerify',
        signature ? [' (', code(signature), ')'] : resumed ? ', which a resumption does without' : null,
        '. There is no ServerHelloDone.']);
      notInYours('step-client-key-exchange', ['TLS 1.3 put the key share in the hellos: your browser\u2019s share',
        shares.length ? [' on ', codes(shares)] : null, ' was already in its ClientHello.']);
    } else if (tls12 && resumed) {
      var reuse = 'a resumed session reuses the keys agreed in an earlier handshake, so there is no new key exchange.';
      notInYours('step-server-key-exchange', reuse);
      notInYours('step-client-key-exchange', reuse);
    } else if (tls12) {
      box = yours('step-server-key-exchange', 'In your handshake', when('server_key_exchange'));
      if (box) {
        box.appendChild(node('p', '', 'tlsd\u2019s one-time key share', group ? [' on ', code(group)] : null,
          signature ? [', signed with ', code(signature)] : null, '.',
          has('server_hello_done') ? ' ServerHelloDone ' + when('server_hello_done') + '.' : null));
      }
      box = yours('step-client-key-exchange', 'In your handshake', when('client_key_exchange'));
      if (box) {
        box.appendChild(node('p', '', 'Your browser\u2019s one-time key share', group ? [' on ', code(group)] : null,
          '. Neither private half ever crossed the wire.'));
      }
    }

    /* ---- step 5's note on RSA key exchange: what happened instead */
    var rsa = $('rsa-key-exchange');
    if (rsa && (tls12 || tls13)) {
      var instead;
      if (resumed && tls12) {
        instead = ['no key exchange at all: your browser resumed an earlier session and both sides reused its keys, agreed then by ECDHE.'];
      } else if (resumed) {
        instead = ['your browser resumed an earlier session with a pre-shared key (PSK) from it',
          group ? [', mixed with fresh key shares on ', code(group), ' (ECDHE), so this connection is still forward secret.'] : '.'];
      } else {
        instead = ['one-time key shares', group ? [' on ', code(group)] : null,
          tls13 ? ' in the two hellos' : ' in ServerKeyExchange and ClientKeyExchange',
          ', and tlsd\u2019s certificate key only signed', signature ? [' (', code(signature), ')'] : null, '.'];
      }
      rsa.appendChild(node('span', 'aside', ' On your connection: ', instead));
    }

    /* ---- the round trips, as many as yours took */
    var trips = $('round-trips');
    if (trips && roundTrips !== null && (tls12 || tls13)) {
      trips.textContent = 'A full TLS 1.2 handshake takes two round trips before the browser can send its request. Yours took ' +
        plural(roundTrips, 'round trip', 'round trips') +
        (tls13 ? (retried ? ' (TLS 1.3, one more for the HelloRetryRequest)' : resumed ? ' (a TLS 1.3 resumption)' : ' (TLS 1.3)')
          : resumed ? ' (a resumed TLS 1.2 session: tlsd sends its Finished first)' : '') + '.';
    }

    /* ---- step 6: ChangeCipherSpec + Finished */
    var finishedHeading = $('finished-heading');
    if (finishedHeading && tls13) finishedHeading.textContent = 'Finished, both ways (TLS 1.3 has no ChangeCipherSpec)';
    var finishedDir = $('finished-dir');
    if (finishedDir && (tls13 || resumed)) finishedDir.textContent = 'server \u2192 browser, then browser \u2192 server (in your handshake)';
    box = yours('step-finished', 'In your handshake', when('established'));
    if (box) {
      var names = { change_cipher_spec_client: 'ChangeCipherSpec from your browser', finished_client: 'Finished from your browser',
        change_cipher_spec_server: 'ChangeCipherSpec from tlsd', finished_server: 'Finished from tlsd',
        new_session_ticket: 'NewSessionTicket from tlsd' };
      var order = node('ul');
      stages.forEach(function (s) {
        if (!Object.prototype.hasOwnProperty.call(names, s.stage)) return;
        order.appendChild(node('li', '', names[s.stage], s.t === null ? null : ' at ' + ms(s.t),
          s.stage === 'new_session_ticket' ? ': a ticket your browser can use to resume this session later' : null));
      });
      if (order.children.length) box.appendChild(order);
      if (tls13) {
        box.appendChild(node('p', '', node('strong', '', 'Not in your handshake: ChangeCipherSpec. '),
          'TLS 1.3 has none: tlsd\u2019s Finished closed its first flight, and your browser\u2019s came back with the second.'));
      }
      if (total !== null) box.appendChild(node('p', '', 'Handshake complete after ' + ms(total) + ', then your browser sent its request.'));
    }

    /* ---- TLS 1.3, or TLS 1.2 */
    var steps = $('handshake');
    var tls13Section = $('tls13');
    if (tls13 && tls13Section) {
      tls13Section.classList.add('current');
      box = yours('tls13', 'Your handshake used TLS 1.3', null);
      var flight = [];
      stages.forEach(function (s) {
        if (s.stage === 'established' || !Object.prototype.hasOwnProperty.call(STAGES, s.stage)) return;
        if (flight.length) flight.push(' \u2192 ');
        flight.push(code(STAGES[s.stage][0]));
      });
      if (flight.length) box.appendChild(node('p', '', 'Its messages, in order: ', flight, '.'));
      box.appendChild(node('p', '', retried
        ? 'Your browser\u2019s first key share was on a group tlsd did not pick, so the HelloRetryRequest cost one more round trip.'
        : resumed
          ? 'A resumption: the earlier session\u2019s secret (a PSK) replaced the certificate and its signature.'
          : 'Compared with the six steps above: no ServerKeyExchange, ServerHelloDone, ClientKeyExchange or ChangeCipherSpec, and one round trip instead of two.'));
    } else if (tls12) {
      if (steps) steps.classList.add('current');
      if (tls13Section) {
        box = yours('tls13', 'Not your handshake', null);
        box.appendChild(node('p', '', offeredVersions.indexOf('TLS1.3') >= 0
          ? 'Your browser offered TLS 1.3 too, but tlsd chose TLS 1.2, the highest it is set up to speak (TLS 1.3 needs tlsd built on Mbed TLS 3.6). Your connection went through the six steps above.'
          : 'Your connection used TLS 1.2: the six steps above.'));
      }
    }
  }

  /* a box that got nothing but its label says nothing: drop it */
  function dropEmptyBoxes() {
    var boxes = document.querySelectorAll('.yours');
    for (var i = 0; i < boxes.length; i++) {
      var said = false;
      for (var child = boxes[i].firstElementChild; child; child = child.nextElementSibling) {
        if (!child.classList.contains('label') && !child.classList.contains('when')) said = true;
      }
      if (!said) boxes[i].parentNode.removeChild(boxes[i]);
    }
  }

  function failed(why) {
    var status = $('handshake-status');
    if (!status) return;
    status.className = 'error';
    status.textContent = 'tlsd\u2019s record of this connection could not be read (' + why +
      '), so this page shows the general explanation only. The commands under ';
    var link = node('a', '', 'See it yourself');
    link.href = '#see-it';
    status.appendChild(link);
    status.appendChild(document.createTextNode(' show the exact values.'));
  }

  function load() {
    var status = $('handshake-status');
    if (status) status.textContent = 'Asking tlsd for the record of this connection\u2019s handshake\u2026';
    if (!window.fetch) { failed('this browser has no fetch()'); return; }
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, 10000) : null;
    fetch(ENDPOINT, {
      cache: 'no-store',
      credentials: 'same-origin',
      headers: { Accept: 'application/json' },
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      if (response.status === 404) throw new Error(ENDPOINT + ' answered 404: this server has handshake_endpoint off or elsewhere');
      if (!response.ok) throw new Error(ENDPOINT + ' answered HTTP ' + response.status);
      var type = response.headers.get('Content-Type') || '';
      if (!/^application\/json\b/i.test(type)) throw new Error(ENDPOINT + ' is not JSON');
      return response.json();
    }).then(function (record) {
      if (timer) clearTimeout(timer);
      if (record === null || typeof record !== 'object' || Array.isArray(record)) throw new Error('not a handshake record');
      if (str(record.version) === null && !Array.isArray(record.stages)) throw new Error('the record is empty');
      fill(record);
      dropEmptyBoxes();
    }).catch(function (error) {
      if (timer) clearTimeout(timer);
      failed(error && error.name === 'AbortError' ? 'no answer in 10 s'
        : error && error.message ? error.message : String(error));
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', load);
  } else {
    load();
  }
})();
